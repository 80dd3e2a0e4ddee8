package io.swarmgate.bench;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * A worker gets ready on its own (connects; for scrapes, announces each of its peers once so the swarms are
 * not empty), waits at the barrier until every worker is ready, then loads the tracker until the schedule ends
 * and drains what it still has in flight.
 */
abstract class Worker implements Runnable {
    final BenchPlan plan;
    final Schedule schedule;
    final WorkerStats stats = new WorkerStats();
    /** This worker's share of the simulated peers: no two workers announce the same peer. */
    final Workload.Slice peers;
    private final CyclicBarrier ready;
    private final int index;
    private final int workers;

    /**
     * Worker {@code index} of {@code workers}, each with its own peers and (with --rate) its own part of the
     * offered rate.
     */
    Worker(BenchPlan plan, Schedule schedule, CyclicBarrier ready, int index, int workers, long seed) {
        this.plan = plan;
        this.schedule = schedule;
        this.ready = ready;
        this.index = index;
        this.workers = workers;
        this.peers = plan.workload().slice(index, workers, seed);
    }

    /** With --rate, when this worker's requests are due; null in a closed loop. */
    Pacer pacer() {
        return plan.pacer(schedule, workers, index);
    }

    @Override
    public final void run() {
        try {
            prepare();
            ready.await();
            load();
        } catch (BrokenBarrierException e) {
            stats.failure = new IllegalStateException("another worker failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stats.failure = e;
            ready.reset();
        } catch (Exception e) {
            stats.failure = e;
            ready.reset(); // releases the others waiting at the barrier
        } finally {
            close();
        }
    }

    /** Connects and, for scrapes, fills this worker's part of the swarms. */
    abstract void prepare() throws Exception;

    /** Loads until {@link Schedule#end()}, then waits for (or times out) what is in flight. */
    abstract void load() throws Exception;

    abstract void close();

    boolean inWindow(long sentAt) {
        return sentAt >= schedule.measureFrom() && sentAt < schedule.end();
    }
}
