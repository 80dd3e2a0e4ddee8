package io.swarmgate.testing;

import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A real scheduler whose queue a test reads and whose tasks it runs on its own thread, so a test of scheduled
 * work waits for nothing: it asks what is due when, runs the task that would run then, and sees a cancelled task
 * leave the queue ({@code removeOnCancel}). Schedule with delays longer than the test (minutes), or the
 * scheduler's own thread may run a task first.
 */
public final class InspectedScheduler extends ScheduledThreadPoolExecutor {

    public InspectedScheduler() {
        super(1, r -> {
            Thread t = new Thread(r, "inspected-scheduler");
            t.setDaemon(true);
            return t;
        });
        setRemoveOnCancelPolicy(true);
    }

    /** The queued tasks, soonest first. */
    public List<RunnableScheduledFuture<?>> queued() {
        return getQueue().stream()
                .<RunnableScheduledFuture<?>>map(r -> (RunnableScheduledFuture<?>) r)
                .sorted((a, b) -> Long.compare(a.getDelay(TimeUnit.NANOSECONDS), b.getDelay(TimeUnit.NANOSECONDS)))
                .toList();
    }

    /** The one queued task; fails if there are none or several. */
    public RunnableScheduledFuture<?> only() {
        List<RunnableScheduledFuture<?>> q = queued();
        if (q.size() != 1) {
            throw new AssertionError("expected one scheduled task, found " + q.size());
        }
        return q.getFirst();
    }

    /** Seconds until {@code task} is due, rounded up. */
    public static long dueInSeconds(Delayed task) {
        return (task.getDelay(TimeUnit.MILLISECONDS) + 999) / 1000;
    }

    /**
     * Runs the one queued task now, on this thread, as the scheduler's thread would at its due time: it leaves
     * the queue, runs, and a periodic task is queued again for its next time.
     */
    public void runOnlyTask() {
        RunnableScheduledFuture<?> task = only();
        if (!remove(task)) {
            throw new AssertionError("the task left the queue before the test ran it");
        }
        task.run();
    }
}
