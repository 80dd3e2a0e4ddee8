package io.swarmgate.bench;

/**
 * When the measured window opens and closes, in {@link System#nanoTime()} terms. Set once, by the barrier
 * action that releases the workers after they connected (and filled the swarms, for scrapes), so every worker
 * sees it set.
 */
final class Schedule {
    private final long warmupNanos;
    private final long durationNanos;
    private long measureFrom = Long.MAX_VALUE;
    private long end = Long.MAX_VALUE;

    Schedule(long warmupNanos, long durationNanos) {
        this.warmupNanos = warmupNanos;
        this.durationNanos = durationNanos;
    }

    void start(long now) {
        measureFrom = now + warmupNanos;
        end = measureFrom + durationNanos;
    }

    long measureFrom() {
        return measureFrom;
    }

    long end() {
        return end;
    }
}
