package io.swarmgate.bench;

/**
 * Open-loop send times for one worker of a run at a fixed total rate ({@code --rate}): request {@code k} of
 * worker {@code index} is due at {@code begin + (index + k × workers) / rate} seconds, whether or not the earlier
 * ones were answered. A slow tracker then meets a growing queue, as it would from real clients, and latency is
 * counted from when a request was due rather than from when a free slot let it go (no coordinated omission:
 * the p99 of an overloaded run shows the overload). The workers' schedules interleave, so together they send
 * evenly spaced requests.
 */
final class Pacer {
    private final long begin;
    private final double workers;
    private final double rate;
    private final int index;
    private long k;

    /**
     * @param begin   when the run's first request is due, in {@link System#nanoTime()} terms
     * @param rate    requests per second of all workers together, at least 1
     * @param workers workers sharing the rate
     * @param index   this worker, 0-based
     */
    Pacer(long begin, double rate, int workers, int index) {
        if (!(rate >= 1) || workers < 1 || index < 0 || index >= workers) {
            throw new IllegalArgumentException("rate " + rate + ", worker " + index + " of " + workers);
        }
        this.begin = begin;
        this.rate = rate;
        this.workers = workers;
        this.index = index;
    }

    /** When the next request is due. */
    long due() {
        return begin + (long) ((index + k * workers) * 1e9 / rate);
    }

    /** The due request went out; the next one is due one interval later. */
    void sent() {
        k++;
    }
}
