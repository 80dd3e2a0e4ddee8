package io.swarmgate.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link PeerStore#collectGarbage()} every {@code gcInterval} (storage.gc-interval) on the given scheduler
 * and measures it: {@code swarmgate_gc_seconds{result="ok"|"error"}} (runs and duration) and
 * {@code swarmgate_gc_expired_peers_total}. Fixed delay rather than fixed rate, so a slow pass over a large
 * store never queues up more passes behind it.
 *
 * <p>A failing pass is logged with its stack trace the first time, then once per further failure without it,
 * and recovery is logged: an operator sees a broken store without a flood, and the next pass tries again.
 */
public final class PeerExpiry implements AutoCloseable {
    private static final Logger LOG = System.getLogger(PeerExpiry.class.getName());
    static final String TIMER = "swarmgate.gc";
    static final String EXPIRED = "swarmgate.gc.expired.peers";

    private final PeerStore store;
    private final Timer ok;
    private final Timer error;
    private final Counter expired;
    private final MeterRegistry registry;
    private ScheduledFuture<?> task;
    private int failuresInARow;

    private PeerExpiry(PeerStore store, MeterRegistry registry) {
        this.store = store;
        this.registry = registry;
        this.ok = timer(registry, "ok");
        this.error = timer(registry, "error");
        this.expired = Counter.builder(EXPIRED)
                .description("Peers removed because they stopped announcing")
                .register(registry);
    }

    private static Timer timer(MeterRegistry registry, String result) {
        return Timer.builder(TIMER)
                .description("Peer expiry passes over the store and how long they took")
                .tag("result", result)
                .register(registry);
    }

    /**
     * Registers the meters and schedules a pass every {@code gcInterval}, the first one {@code gcInterval} from
     * now. The scheduler belongs to the caller; {@link #close()} only cancels this task.
     */
    public static PeerExpiry start(PeerStore store, Duration gcInterval, ScheduledExecutorService scheduler,
                                   MeterRegistry registry) {
        if (gcInterval.isNegative() || gcInterval.isZero()) {
            throw new IllegalArgumentException("gc interval must be positive, got " + gcInterval);
        }
        PeerExpiry expiry = new PeerExpiry(store, registry);
        long nanos = gcInterval.toNanos();
        synchronized (expiry) {
            expiry.task = scheduler.scheduleWithFixedDelay(expiry::runOnce, nanos, nanos, TimeUnit.NANOSECONDS);
        }
        return expiry;
    }

    /** Registers the meters without scheduling (tests drive {@link #runOnce()} themselves). */
    static PeerExpiry unscheduled(PeerStore store, MeterRegistry registry) {
        return new PeerExpiry(store, registry);
    }

    /** One expiry pass; never throws, so the scheduled task is never silently cancelled. */
    void runOnce() {
        long start = registry.config().clock().monotonicTime();
        try {
            int removed = store.collectGarbage();
            ok.record(registry.config().clock().monotonicTime() - start, TimeUnit.NANOSECONDS);
            expired.increment(removed);
            if (failuresInARow > 0) {
                LOG.log(Level.INFO, "peer expiry works again after " + failuresInARow + " failed pass(es)");
                failuresInARow = 0;
            }
        } catch (RuntimeException e) {
            error.record(registry.config().clock().monotonicTime() - start, TimeUnit.NANOSECONDS);
            failuresInARow++;
            if (failuresInARow == 1) {
                LOG.log(Level.WARNING, "peer expiry failed; retrying every interval", e);
            } else {
                LOG.log(Level.WARNING, "peer expiry failed again (" + failuresInARow + " in a row): " + e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
