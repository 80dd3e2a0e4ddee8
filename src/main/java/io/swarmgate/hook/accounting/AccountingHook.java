package io.swarmgate.hook.accounting;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.HookServices;
import io.swarmgate.logging.JsonStrings;
import io.swarmgate.metrics.OperatorRoutes;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns every announce into deltas ({@link PeerBaselines}), adds them to in-memory rows ({@link PendingRows})
 * and writes those rows to PostgreSQL every {@code flush-interval} on a thread of its own
 * ({@link AccountingDatabase}). The announce path does no I/O and takes only the rows' short lock.
 *
 * <p>When the database is down or slow, announces do not notice: rows keep aggregating up to
 * {@code max-pending} (then the oldest are dropped and counted), the flusher retries with backoff (0.5 s
 * doubling up to the flush interval) and writes everything it still holds once the database answers. A flush
 * is one transaction marked with this process's instance id and a sequence number, so a retry after a lost
 * COMMIT answer is not applied twice. {@link #close()} (SIGTERM) writes what is pending, trying for at most two
 * flush intervals and never more than {@link #SHUTDOWN_BUDGET}.
 *
 * <p>The subject is the {@code subject-claim} of the token the jwt prehook verified for this announce, taken
 * from {@link AnnounceContext#verifiedClaims()} only: a token that was merely present names no one.
 */
public final class AccountingHook implements Hook, OperatorRoutes {
    /**
     * {@code name: accounting}; see {@link AccountingConfig} for its keys. Use it as a posthook (as a prehook it
     * would count refused announces too). Start-up does not wait for the database: the tracker serves without
     * it, and the first flush creates the schema.
     */
    public static final HookFactory FACTORY = HookFactory.of("accounting", (config, services) -> {
        AccountingHook hook = unstarted(AccountingConfig.create(config), services);
        hook.start();
        return hook;
    });
    private static final Logger LOG = System.getLogger(AccountingHook.class.getName());
    /** Below Kubernetes' default 30 s termination grace period, which also covers the listeners' shutdown. */
    static final Duration SHUTDOWN_BUDGET = Duration.ofSeconds(20);
    /** Btree index entries in PostgreSQL are limited to about 2.7 kB: 512 UTF-16 chars are at most 1.5 kB. */
    static final int MAX_SUBJECT_CHARS = 512;
    private static final long DAY_MS = 86_400_000L;
    private static final long FIRST_RETRY_MS = 500;
    private static final long EXPIRY_EVERY_MS = 60_000;
    private static final String JSON = "application/json";

    private final AccountingConfig config;
    private final AccountingDatabase database;
    private final InstantSource clock;
    private final PeerBaselines baselines;
    private final PendingRows pending;
    private final MeterRegistry registry;
    private final Counter dropped;
    private final Counter flushesOk;
    private final Counter flushesFailed;
    private final List<Meter> meters;
    private final ScheduledExecutorService flusher;
    private final UUID instance = UUID.randomUUID();
    /** Held by a flush from its write to the subtraction, and by reads, so a read never counts a row twice. */
    private final ReentrantLock commitLock = new ReentrantLock();
    /** One flush at a time: the scheduled one, the final one, or a test's. */
    private final ReentrantLock flushLock = new ReentrantLock();
    private final long startedMs;
    private volatile long lastSuccessMs = -1;
    private volatile boolean closed;
    private final Object schemaLock = new Object();
    private volatile boolean migrated;
    // guarded by flushLock
    private PendingRows.Batch inFlight;
    private long inFlightSeq;
    private long nextSeq = 1;
    private int failures;
    private long lastExpiryMs;

    AccountingHook(AccountingConfig config, AccountingDatabase database, InstantSource clock, MeterRegistry registry,
                   Duration peerLifetime) {
        this.config = config;
        this.database = database;
        this.clock = clock;
        this.registry = registry;
        this.baselines = new PeerBaselines(peerLifetime.toMillis());
        this.dropped = Counter.builder("swarmgate.accounting.dropped.rows")
                .description("Aggregated accounting rows dropped, oldest first, because max-pending rows were "
                        + "waiting for the database: their transfer is lost")
                .register(registry);
        this.pending = new PendingRows(config.maxPending(), dropped::increment);
        this.flushesOk = flushes(registry, "ok");
        this.flushesFailed = flushes(registry, "error");
        this.startedMs = clock.millis();
        this.lastExpiryMs = startedMs;
        this.meters = List.of(dropped, flushesOk, flushesFailed,
                Gauge.builder("swarmgate.accounting.pending.rows", pending, PendingRows::size)
                        .description("Aggregated accounting rows held in memory, not yet committed to the database")
                        .strongReference(true).register(registry),
                Gauge.builder("swarmgate.accounting.last.flush.age", this, AccountingHook::lastFlushAgeSeconds)
                        .baseUnit("seconds")
                        .description("Seconds since the last successful accounting flush (since start before the first)")
                        .strongReference(true).register(registry));
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "swarmgate-accounting");
            t.setDaemon(true);
            return t;
        });
    }

    /** Built but not started: tests drive {@link #flush()} themselves. */
    static AccountingHook unstarted(AccountingConfig config, HookServices services) {
        // a database that takes longer than this to connect or answer is treated as away for this attempt
        Duration timeout = config.flushInterval().compareTo(Duration.ofSeconds(5)) < 0
                ? config.flushInterval() : Duration.ofSeconds(5);
        return new AccountingHook(config, new AccountingDatabase(config.jdbcUrl(), timeout), services.clock(),
                services.meters(), services.peerLifetime());
    }

    private static Counter flushes(MeterRegistry registry, String result) {
        return Counter.builder("swarmgate.accounting.flushes").tag("result", result)
                .description("Accounting flushes (one transaction each) by result").register(registry);
    }

    /** Starts the flush schedule; the first flush also creates or migrates the schema. */
    void start() {
        flusher.execute(this::scheduledFlush);
    }

    @Override
    public void announce(AnnounceContext ctx) {
        AnnounceRequest request = ctx.request();
        long now = clock.millis();
        baselines.apply(request, now, subject(ctx), (int) Math.floorDiv(now, DAY_MS), pending);
    }

    private String subject(AnnounceContext ctx) {
        if (ctx.verifiedClaims().get(config.subjectClaim()) instanceof String s
                && !s.isEmpty() && s.length() <= MAX_SUBJECT_CHARS) {
            return s;
        }
        return null;
    }

    private void scheduledFlush() {
        if (closed) {
            return;
        }
        boolean ok = flush();
        long delay = ok ? config.flushInterval().toMillis()
                : Math.min(config.flushInterval().toMillis(), FIRST_RETRY_MS << Math.min(failures - 1, 20));
        if (!closed) {
            flusher.schedule(this::scheduledFlush, delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * One flush: the batch still in flight, or else everything pending now. An empty flush still commits its
     * sequence number, so the last-flush age also says that the database answers.
     *
     * @return true when it committed (or had already committed)
     */
    boolean flush() {
        flushLock.lock();
        try {
            expireBaselines();
            ensureSchema();
            if (inFlight == null) {
                inFlight = pending.claim();
                inFlightSeq = nextSeq++;
            }
            List<PendingRows.Row> rows = pending.toWrite(inFlight);
            commitLock.lock();
            try {
                database.write(instance, inFlightSeq, rows);
                pending.committed(inFlight);
            } finally {
                commitLock.unlock();
            }
            inFlight = null;
            lastSuccessMs = clock.millis();
            flushesOk.increment();
            if (failures > 0) {
                LOG.log(Level.INFO, "accounting: database " + database.displayUrl() + " answers again after "
                        + failures + " failed flush(es); " + pending.size() + " row(s) still pending");
            }
            failures = 0;
            return true;
        } catch (SQLException | RuntimeException e) {
            // Flyway wraps its SQL errors in a FlywayException (a RuntimeException)
            failures++;
            flushesFailed.increment();
            if (failures == 1) {
                LOG.log(Level.WARNING, "accounting: cannot write to " + database.displayUrl() + ": " + rootMessage(e)
                        + "; announces are unaffected, " + pending.size() + " row(s) held (at most "
                        + config.maxPending() + "), retrying");
            } else {
                LOG.log(Level.DEBUG, () -> "accounting: flush attempt " + failures + " failed: " + rootMessage(e));
            }
            return false;
        } finally {
            flushLock.unlock();
        }
    }

    /** Creates or migrates the schema once: before the first flush or read, whichever comes first. */
    private void ensureSchema() {
        if (migrated) {
            return;
        }
        synchronized (schemaLock) {
            if (!migrated) {
                database.migrate();
                migrated = true;
            }
        }
    }

    private void expireBaselines() {
        long now = clock.millis();
        if (now - lastExpiryMs >= EXPIRY_EVERY_MS) {
            lastExpiryMs = now;
            baselines.expire(now);
        }
    }

    private double lastFlushAgeSeconds() {
        long last = lastSuccessMs;
        return (clock.millis() - (last < 0 ? startedMs : last)) / 1000.0;
    }

    private boolean nothingToWrite() {
        flushLock.lock();
        try {
            return inFlight == null && pending.size() == 0;
        } finally {
            flushLock.unlock();
        }
    }

    int pendingRows() {
        return pending.size();
    }

    int trackedPeers() {
        return baselines.size();
    }

    /**
     * Stops the schedule, then writes what is pending: the final flush keeps retrying until everything is
     * committed, two flush intervals have passed, or {@link #SHUTDOWN_BUDGET}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flusher.shutdownNow();
        long budgetMs = Math.min(SHUTDOWN_BUDGET.toMillis(), 2 * config.flushInterval().toMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs);
        try {
            flusher.awaitTermination(budgetMs, TimeUnit.MILLISECONDS);
            finalFlush(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            int left = pending.size();
            if (left > 0) {
                LOG.log(Level.WARNING, "accounting: " + left + " row(s) not written at shutdown (database "
                        + database.displayUrl() + " did not take them in time): that transfer is lost");
            }
            database.close();
            for (Meter m : meters) {
                registry.remove(m);
            }
        }
    }

    private void finalFlush(long deadlineNanos) throws InterruptedException {
        if (nothingToWrite()) {
            return; // e.g. start-up failed after this hook was built: no reason to wait for a database
        }
        long retryMs = FIRST_RETRY_MS;
        while (true) {
            boolean ok = flush();
            if (ok && pending.size() == 0) {
                return;
            }
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (leftMs <= 0) {
                return;
            }
            if (!ok) {
                // a pause between attempts, bounded by the deadline; nothing else is waited for here
                TimeUnit.MILLISECONDS.sleep(Math.min(retryMs, leftMs));
                retryMs = Math.min(retryMs * 2, 2_000);
            }
        }
    }

    // ---- operator routes: GET /accounting/torrents/<hex>, GET /accounting/subjects/<subject>

    @Override
    public void routing(HttpRules rules) {
        rules.get("/accounting/torrents/{hex}", this::torrentTotals)
                .get("/accounting/subjects/{+subject}", this::subjectTotals);
    }

    private void torrentTotals(ServerRequest req, ServerResponse res) {
        InfoHash infoHash = OperatorRoutes.infoHash(req, res);
        if (infoHash == null) {
            return;
        }
        Optional<Totals> stored;
        Totals inMemory;
        commitLock.lock();
        try {
            ensureSchema();
            stored = database.torrent(infoHash);
            inMemory = pending.torrent(infoHash);
        } catch (SQLException | RuntimeException e) {
            unavailable(res, e);
            return;
        } finally {
            commitLock.unlock();
        }
        if (stored.isEmpty() && inMemory == null) {
            OperatorRoutes.error(res, Status.NOT_FOUND_404, "no accounting for info_hash " + infoHash.hex());
            return;
        }
        Totals t = stored.orElse(Totals.ZERO).plus(inMemory == null ? Totals.ZERO : inMemory);
        StringBuilder b = new StringBuilder("{\"info_hash\":\"").append(infoHash.hex()).append('"');
        counters(b, t, true).append('}');
        OperatorRoutes.json(res, Status.OK_200, b);
    }

    private void subjectTotals(ServerRequest req, ServerResponse res) {
        String subject = req.path().pathParameters().get("subject");
        Map<InfoHash, Totals> torrents = new TreeMap<>(RowKey.ORDER_OF_HASHES);
        commitLock.lock();
        try {
            ensureSchema();
            torrents.putAll(database.subject(subject));
            pending.subject(subject).forEach((h, t) -> torrents.merge(h, t, Totals::plus));
        } catch (SQLException | RuntimeException e) {
            unavailable(res, e);
            return;
        } finally {
            commitLock.unlock();
        }
        if (torrents.isEmpty()) {
            OperatorRoutes.error(res, Status.NOT_FOUND_404, "no accounting for subject " + subject);
            return;
        }
        StringBuilder b = new StringBuilder("{\"subject\":");
        JsonStrings.append(b, subject).append(",\"torrents\":[");
        boolean first = true;
        for (Map.Entry<InfoHash, Totals> e : torrents.entrySet()) {
            b.append(first ? "" : ",").append("{\"info_hash\":\"").append(e.getKey().hex()).append('"');
            counters(b, e.getValue(), false).append('}');
            first = false;
        }
        b.append("]}");
        OperatorRoutes.json(res, Status.OK_200, b);
    }

    private static StringBuilder counters(StringBuilder b, Totals t, boolean announces) {
        b.append(",\"uploaded\":").append(t.uploaded())
                .append(",\"downloaded\":").append(t.downloaded())
                .append(",\"completed\":").append(t.completed());
        if (announces) {
            b.append(",\"announces\":").append(t.announces());
        }
        return b;
    }

    private void unavailable(ServerResponse res, Exception e) {
        OperatorRoutes.error(res, Status.SERVICE_UNAVAILABLE_503, "accounting database " + database.displayUrl()
                + " cannot be read: " + rootMessage(e) + " (" + pending.size() + " row(s) pending in memory)");
    }



    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
