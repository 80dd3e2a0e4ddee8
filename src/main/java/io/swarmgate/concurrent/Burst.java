package io.swarmgate.concurrent;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Work a thread defers to the end of what it is doing now. A remote store's reply reader completes many announces
 * in a row ({@link #run}); each completion queues its answer and defers the send ({@link #once}) and then its
 * posthooks ({@link #after}): at the burst's end the queued answers leave in one system call, and every
 * posthook runs after its answer is out, as without a burst. Outside a burst both run at once, so a caller
 * never needs to know whether it is in one.
 *
 * <p>Per thread, no locks: deferred work runs on the thread that deferred it, in the order deferred, each
 * {@link #once} action once however often it was deferred. An action that throws is logged and the rest still
 * run.
 */
public final class Burst {
    private static final Logger LOG = System.getLogger(Burst.class.getName());
    private static final ThreadLocal<Burst> CURRENT = ThreadLocal.withInitial(Burst::new);

    private final List<Runnable> deferred = new ArrayList<>();
    /** The {@link #once} actions among them: a few (one per outbox), so looking one up costs nothing. */
    private final List<Runnable> onces = new ArrayList<>(2);
    private boolean active;

    private Burst() {
    }

    /**
     * Runs {@code body}, then what it deferred. Nested in another burst on the same thread, it is part of that
     * one (the outer one runs the deferred work).
     */
    public static void run(Runnable body) {
        Burst b = CURRENT.get();
        if (b.active) {
            body.run();
            return;
        }
        b.active = true;
        try {
            body.run();
        } finally {
            b.drain();
        }
    }

    /** Runs {@code action} at the end of this thread's burst, once however often deferred in it; now outside one. */
    public static void once(Runnable action) {
        Burst b = CURRENT.get();
        if (!b.active) {
            action.run();
        } else if (!b.onces.contains(action)) {
            b.onces.add(action);
            b.deferred.add(action);
        }
    }

    /** Runs {@code action} at the end of this thread's burst, after what was deferred before it; now outside one. */
    public static void after(Runnable action) {
        Burst b = CURRENT.get();
        if (b.active) {
            b.deferred.add(action);
        } else {
            action.run();
        }
    }

    /**
     * Runs what this thread's burst deferred so far, now, and goes on with the burst: for a thread about to wait
     * on something the deferred work may be needed for (the UDP receive loop waiting for a free handler, whose
     * calls this burst queued to a remote store: they must be written before their replies can free one).
     * Outside a burst it does nothing.
     */
    public static void drainNow() {
        Burst b = CURRENT.get();
        if (b.active) {
            b.drain();
            b.active = true;
        }
    }

    /** Whether this thread is in a burst (for tests and assertions). */
    public static boolean active() {
        return CURRENT.get().active;
    }

    private void drain() {
        // work deferred while draining (an action deferring more) joins the end of the list
        for (int i = 0; i < deferred.size(); i++) {
            Runnable action = deferred.get(i);
            onces.remove(action); // deferred again once it ran: it runs again, later
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "work deferred to the end of a burst failed: " + e, e);
            }
        }
        deferred.clear();
        onces.clear();
        active = false;
    }
}
