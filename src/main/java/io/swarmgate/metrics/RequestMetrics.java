package io.swarmgate.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * {@code swarmgate_requests_seconds}: count and latency of every request by frontend, action, address family
 * and result. Label values are bounded (enums and {@link ClientError.Kind} labels), never error text or an
 * info_hash. The action is the {@link Action} BEP 15 numbers (HTTP's announce and scrape are the same two
 * actions), so the UDP frontend reports what its codec decoded without a mapping of its own. Timers are cached
 * per label combination so recording allocates nothing after warm-up.
 */
public final class RequestMetrics {
    public static final String NAME = "swarmgate.requests";

    /** Result label for a request that went wrong on our side. */
    public static final String INTERNAL = "internal";
    public static final String OK = "ok";

    /**
     * Histogram bucket bounds, 25 µs to 5 s in 1-2.5-5 steps and 2 ms (the UDP p99 target): 20 series per label
     * combination instead of the 89 of Micrometer's percentile histogram over the same range, still fine enough
     * for histogram_quantile to tell an in-memory answer (tens of µs) from one that waited on a remote store or a
     * key refresh.
     */
    static final Duration[] BUCKETS = {
            Duration.ofNanos(25_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
            Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};

    private static final int ACTIONS = Action.values().length;
    private static final int FAMILIES = AddressFamily.values().length;

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();
    private final Function<Key, Timer> register = this::register;
    /**
     * The {@link #OK} timers by frontend, action and family, filled on first use: the common case then costs an
     * array read instead of a key object and a map lookup per request.
     */
    private final AtomicReferenceArray<Timer> okTimers =
            new AtomicReferenceArray<>(Frontend.values().length * ACTIONS * FAMILIES);

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private record Key(Frontend frontend, Action action, AddressFamily family, String result) {
    }

    /** Records one request; {@code result} is {@link #OK}, {@link #INTERNAL} or a {@link ClientError.Kind} label. */
    public void record(Frontend frontend, Action action, AddressFamily family, String result, long nanos) {
        timer(frontend, action, family, result).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void recordError(Frontend frontend, Action action, AddressFamily family, ClientError error,
                            long nanos) {
        record(frontend, action, family, error.kind().label(), nanos);
    }

    Timer timer(Frontend frontend, Action action, AddressFamily family, String result) {
        if (!OK.equals(result)) {
            return timers.computeIfAbsent(new Key(frontend, action, family, result), register);
        }
        int i = (frontend.ordinal() * ACTIONS + action.ordinal()) * FAMILIES + family.ordinal();
        Timer t = okTimers.get(i);
        if (t == null) {
            // a race registers nothing twice: the map hands every caller the same timer
            t = timers.computeIfAbsent(new Key(frontend, action, family, OK), register);
            okTimers.set(i, t);
        }
        return t;
    }

    private Timer register(Key k) {
        return Timer.builder(NAME)
                .description("Tracker requests by frontend, action, address family and result")
                .tag("frontend", k.frontend.label())
                .tag("action", k.action.label())
                .tag("address_family", k.family.label())
                .tag("result", k.result)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }
}
