package io.swarmgate.bench;

/**
 * Latencies in microseconds, log-linear: exact below 256 µs, then 128 buckets per power of two (under 1 % error),
 * up to about a minute in 2,600 counters. One per worker, merged at the end, so recording is an array increment.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;
    private static final int LINEAR = 2 * SUB;
    private static final long MAX_MICROS = (1L << 26) - 1; // ~67 s
    private static final int BUCKETS = index(MAX_MICROS) + 1;

    private final long[] counts = new long[BUCKETS];
    private long total;

    void recordNanos(long nanos) {
        long micros = Math.min(MAX_MICROS, Math.max(0, nanos / 1000));
        counts[index(micros)]++;
        total++;
    }

    static int index(long micros) {
        if (micros < LINEAR) {
            return (int) micros;
        }
        int shift = 63 - Long.numberOfLeadingZeros(micros) - SUB_BITS;
        return shift * SUB + (int) (micros >>> shift);
    }

    /** The middle of bucket {@code i}, in microseconds. */
    static double value(int i) {
        if (i < LINEAR) {
            return i;
        }
        int shift = i / SUB - 1;
        long low = (long) (i - shift * SUB) << shift;
        return low + ((1L << shift) - 1) / 2.0;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long count() {
        return total;
    }

    /** The {@code q} quantile (0..1) in microseconds, NaN when empty. */
    double percentile(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return value(i);
            }
        }
        return value(BUCKETS - 1);
    }
}
