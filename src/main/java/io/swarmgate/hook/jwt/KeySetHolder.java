package io.swarmgate.hook.jwt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.config.Durations;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The current JWK set: an immutable {@link KeySet} behind an {@link AtomicReference}, replaced whole by a
 * successful refresh. Fetches are single-flight (concurrent callers join the one under way). A refresh that
 * fails keeps the keys we have, until {@code jwk-set-max-stale} has passed since the last good fetch; the
 * failure is logged once per streak of failures and counted every time. Fetches caused by tokens with an
 * unknown {@code kid} are spaced at least {@code unknownKidRefetchSpacing} apart, so a flood of made-up kids
 * costs the registry one request per spacing, not one per token.
 */
final class KeySetHolder implements AutoCloseable {
    private static final Logger LOG = System.getLogger(KeySetHolder.class.getName());
    /** How long an announce with an unknown kid waits for the fetch it caused; a healthy registry answers in ms. */
    static final Duration UNKNOWN_KID_WAIT = Duration.ofSeconds(2);

    private final JwtConfig config;
    private final JwkSetSource source;
    private final InstantSource clock;
    private final AtomicReference<KeySet> current = new AtomicReference<>();
    private final Counter refreshOk;
    private final Counter refreshError;
    private final List<Meter> meters;
    private final MeterRegistry registry;

    private final Object lock = new Object();
    private CompletableFuture<Boolean> inFlight;       // guarded by lock
    private Instant lastUnknownKidFetch = Instant.MIN; // guarded by lock
    private volatile Instant lastSuccess;
    private volatile long staleAfterMs = Long.MIN_VALUE;
    private boolean failing;                           // only touched by the one fetch under way

    KeySetHolder(JwtConfig config, JwkSetSource source, InstantSource clock, MeterRegistry registry) {
        this.config = config;
        this.source = source;
        this.clock = clock;
        this.registry = registry;
        this.refreshOk = Counter.builder("swarmgate.jwt.jwks.refreshes").tag("result", "ok")
                .description("JWK set fetches").register(registry);
        this.refreshError = Counter.builder("swarmgate.jwt.jwks.refreshes").tag("result", "error")
                .description("JWK set fetches").register(registry);
        Gauge age = Gauge.builder("swarmgate.jwt.jwks.last.success.age.seconds", this, KeySetHolder::ageSeconds)
                .description("Seconds since the JWK set was last fetched successfully").register(registry);
        Gauge count = Gauge.builder("swarmgate.jwt.jwks.keys", this, h -> {
                    KeySet s = h.current.get();
                    return s == null ? 0 : s.size();
                })
                .description("Signing keys loaded from the JWK set").register(registry);
        this.meters = List.of(refreshOk, refreshError, age, count);
    }

    /**
     * The first fetch, at start-up.
     *
     * @throws IOException when the set cannot be fetched or is not a usable key set
     */
    void load() throws IOException {
        try {
            install(KeySet.parse(source.fetch(), null));
            refreshOk.increment();
        } catch (ParseException e) {
            refreshError.increment();
            throw new IOException("not a usable JWK set: " + e.getMessage());
        } catch (IOException e) {
            refreshError.increment();
            throw e;
        }
    }

    /** The keys in use, or null before the first successful fetch. */
    KeySet current() {
        return current.get();
    }

    /** Whether the last good fetch is older than {@code jwk-set-max-stale}; the keys are then not trusted. */
    boolean stale() {
        return stale(clock.millis());
    }

    /** {@link #stale()} at {@code nowMs}, without allocating: called on every announce. */
    boolean stale(long nowMs) {
        return nowMs > staleAfterMs;
    }

    String notReadyReason() {
        Instant last = lastSuccess;
        if (last == null) {
            return "jwt: no JWK set loaded from " + source.shownUrl();
        }
        if (stale()) {
            return "jwt: JWK set from " + source.shownUrl() + " is stale: last good fetch "
                    + Durations.format(Duration.ofSeconds(Duration.between(last, clock.instant()).toSeconds()))
                    + " ago, jwk-set-max-stale is " + Durations.format(config.maxStale());
        }
        return "";
    }

    double ageSeconds() {
        Instant last = lastSuccess;
        return last == null ? Double.NaN : Duration.between(last, clock.instant()).toMillis() / 1000.0;
    }

    /**
     * Fetches the set now, on the calling thread (the periodic refresh; tests call it directly). When a fetch is
     * already under way, waits for that one instead of starting another.
     *
     * @return whether the fetch succeeded
     */
    boolean refresh() {
        CompletableFuture<Boolean> running;
        CompletableFuture<Boolean> mine = null;
        synchronized (lock) {
            running = inFlight;
            if (running == null) {
                mine = inFlight = new CompletableFuture<>();
            }
        }
        if (mine == null) {
            return await(running, config.fetchTimeout().plusSeconds(5));
        }
        runFetch(mine);
        return mine.join();
    }

    /**
     * A token named a kid we do not know: fetch again, unless a fetch for that reason started within the
     * spacing. The fetch runs on its own (virtual) thread and callers wait at most {@link #UNKNOWN_KID_WAIT}:
     * a rotation looks like many clients arriving at once with the new kid, and they all wait for the same
     * fetch; a slow registry must not hold announce threads for the whole fetch timeout.
     *
     * @return whether a fetch ran (or was joined) and succeeded within the wait
     */
    boolean refreshForUnknownKid() {
        CompletableFuture<Boolean> f;
        synchronized (lock) {
            f = inFlight;
            if (f == null) {
                Instant now = clock.instant();
                if (Duration.between(lastUnknownKidFetch, now).compareTo(config.unknownKidRefetchSpacing()) < 0) {
                    return false;
                }
                lastUnknownKidFetch = now;
                CompletableFuture<Boolean> mine = new CompletableFuture<>();
                f = inFlight = mine;
                Thread.ofVirtual().name("swarmgate-jwks-fetch").start(() -> runFetch(mine));
            }
        }
        return await(f, UNKNOWN_KID_WAIT);
    }

    private void runFetch(CompletableFuture<Boolean> mine) {
        boolean ok = false;
        try {
            ok = fetchOnce();
        } finally {
            synchronized (lock) {
                inFlight = null;
            }
            mine.complete(ok);
        }
    }

    private static boolean await(CompletableFuture<Boolean> f, Duration limit) {
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** One fetch by the single fetching thread; never throws. */
    private boolean fetchOnce() {
        String problem;
        try {
            KeySet set = KeySet.parse(source.fetch(), current.get());
            install(set);
            refreshOk.increment();
            if (failing) {
                failing = false;
                LOG.log(Level.INFO, "JWK set from " + source.shownUrl() + " fetched again: " + set.size() + (set.size() == 1 ? " key" : " keys"));
            }
            return true;
        } catch (IOException e) {
            problem = "fetch failed: " + e.getMessage();
        } catch (ParseException e) {
            problem = "not a usable JWK set: " + e.getMessage();
        } catch (RuntimeException e) {
            problem = "unexpected failure: " + e;
        }
        refreshError.increment();
        if (!failing) {
            failing = true;
            int n = current() == null ? 0 : current().size();
            LOG.log(Level.WARNING, "JWK set from " + source.shownUrl() + " not refreshed (" + problem + "); keeping the "
                    + n + (n == 1 ? " key" : " keys") + " we have for at most " + Durations.format(config.maxStale())
                    + " after the last good fetch. Further failures are counted, not logged, until a fetch succeeds.");
        }
        return false;
    }

    private void install(KeySet set) {
        KeySet old = current.getAndSet(set);
        Instant now = clock.instant();
        lastSuccess = now;
        staleAfterMs = now.toEpochMilli() + config.maxStale().toMillis();
        if (old == null || !old.skipped().equals(set.skipped()) || old.hasPrivateParts() != set.hasPrivateParts()) {
            for (String s : set.skipped()) {
                LOG.log(Level.INFO, "JWK set from " + source.shownUrl() + ": skipping " + s);
            }
            if (set.hasPrivateParts()) {
                LOG.log(Level.WARNING, "JWK set from " + source.shownUrl() + " contains PRIVATE key material: anyone who "
                        + "can read it can sign tokens. Publish only public keys. Using the public parts.");
            }
        }
    }

    @Override
    public void close() {
        source.close();
        for (Meter m : meters) {
            registry.remove(m);
        }
    }
}
