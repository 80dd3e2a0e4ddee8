import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * How late this machine runs a thread that has nothing to wait for but the clock, as jHiccup measures it: the
 * floor under any latency figure taken on it. Run pinned to the core to look at, with nothing else on it:
 * <pre>
 *   taskset -c 0 java docs/perf-data/Hiccup.java park 10 100   # parks of 100 µs for 10 s: oversleep per wake-up
 *   taskset -c 0 java docs/perf-data/Hiccup.java spin 10       # a busy loop for 10 s: gaps between clock reads
 * </pre>
 * {@code park} is the tracker's UDP worker between packets (asleep, woken by a timer instead of a packet);
 * {@code spin} never sleeps, so a gap in it is time the core was taken away: an interrupt, another thread, or
 * the hypervisor running something else on this virtual CPU (steal). Prints percentiles of the delays, the
 * time lost in gaps over 1 ms, and the steal the kernel counted for each CPU meanwhile ({@code /proc/stat},
 * 10 ms ticks).
 */
public class Hiccup {
    private static final int MAX_US = 1_000_000;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "park";
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
        long intervalNanos = (args.length > 2 ? Long.parseLong(args[2]) : 100) * 1000;
        long[] counts = new long[MAX_US + 1];
        long[] stealBefore = steal();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long samples = 0;
        long lostOver1ms = 0;
        long maxNanos = 0;
        if (mode.equals("park")) {
            long now = start;
            while (now < end) {
                LockSupport.parkNanos(intervalNanos);
                long after = System.nanoTime();
                long late = after - now - intervalNanos;
                now = after;
                samples++;
                maxNanos = Math.max(maxNanos, late);
                lostOver1ms += late > 1_000_000 ? late : 0;
                counts[(int) Math.clamp(late / 1000, 0, MAX_US)]++;
            }
        } else {
            long last = start;
            while (last < end) {
                long now = System.nanoTime();
                long gap = now - last;
                last = now;
                if (gap >= 1000) { // gaps under 1 µs are the loop itself
                    samples++;
                    maxNanos = Math.max(maxNanos, gap);
                    lostOver1ms += gap > 1_000_000 ? gap : 0;
                    counts[(int) Math.clamp(gap / 1000, 0, MAX_US)]++;
                }
            }
        }
        long[] stealAfter = steal();
        double elapsed = (System.nanoTime() - start) / 1e9;
        StringBuilder steal = new StringBuilder();
        for (int cpu = 0; cpu < stealAfter.length; cpu++) {
            steal.append(String.format(Locale.ROOT, " cpu%d %.0f ms", cpu, (stealAfter[cpu] - stealBefore[cpu]) * 10.0));
        }
        System.out.printf(Locale.ROOT, "HICCUP mode=%s seconds=%.1f interval_us=%d samples=%d p50_us=%d p99_us=%d"
                        + " p999_us=%d p9999_us=%d max_us=%d over_1ms=%d over_2ms=%d lost_over_1ms_ms=%.1f steal:%s%n",
                mode, elapsed, intervalNanos / 1000, samples, pct(counts, samples, 0.5), pct(counts, samples, 0.99),
                pct(counts, samples, 0.999), pct(counts, samples, 0.9999), maxNanos / 1000, over(counts, 1000),
                over(counts, 2000), lostOver1ms / 1e6, steal);
    }

    private static long pct(long[] counts, long total, double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int us = 0; us < counts.length; us++) {
            seen += counts[us];
            if (seen >= rank) {
                return us;
            }
        }
        return MAX_US;
    }

    private static long over(long[] counts, int us) {
        long n = 0;
        for (int i = us + 1; i < counts.length; i++) {
            n += counts[i];
        }
        return n;
    }

    /** Steal ticks per CPU (the 8th number of each cpuN line of /proc/stat). */
    private static long[] steal() throws Exception {
        return Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.matches("cpu\\d+ .*"))
                .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[8])).toArray();
    }
}
