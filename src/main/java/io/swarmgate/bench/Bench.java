package io.swarmgate.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link BenchPlan}: starts the workers ({@code --threads} platform threads sharing the UDP sockets, a
 * virtual thread per HTTP connection), prints a progress line every second, reads the CPU time of the tracker and of this process over
 * exactly the measured window, and joins the workers once they have drained.
 */
public final class Bench {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private Bench() {
    }

    /**
     * @param progress where the progress lines go (one per second), e.g. standard error
     * @throws IOException when a worker could not get going (no connect answer, for one) or failed
     */
    public static BenchResult run(BenchPlan plan, PrintStream progress) throws IOException, InterruptedException {
        Schedule schedule = new Schedule(plan.warmup().toNanos(), plan.duration().toNanos());
        CountDownLatch started = new CountDownLatch(1);
        int workers = plan.protocol() == BenchPlan.Protocol.UDP ? plan.threads() : plan.inFlight();
        CyclicBarrier ready = new CyclicBarrier(workers, () -> {
            schedule.start(System.nanoTime());
            started.countDown();
        });
        SplittableRandom seeds = new SplittableRandom();
        List<Worker> all = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Worker w = plan.protocol() == BenchPlan.Protocol.UDP
                    ? new UdpLoadWorker(plan, schedule, ready, i, workers, seeds.nextLong())
                    : new HttpLoadWorker(plan, schedule, ready, i, seeds.nextLong());
            all.add(w);
            threads.add(plan.protocol() == BenchPlan.Protocol.UDP
                    ? Thread.ofPlatform().name("bench-udp-" + i).start(w)
                    : Thread.ofVirtual().name("bench-http-" + i).start(w));
        }
        while (!started.await(100, TimeUnit.MILLISECONDS)) {
            if (threads.stream().noneMatch(Thread::isAlive)) {
                break; // every worker gave up before the barrier
            }
        }
        long cpuTracker = 0;
        long cpuSelf = 0;
        double trackerCores = Double.NaN;
        double selfCores = Double.NaN;
        if (started.getCount() == 0) {
            long measureFrom = schedule.measureFrom();
            long end = schedule.end();
            long begin = measureFrom - plan.warmup().toNanos();
            long lastCount = 0;
            long lastAt = begin;
            boolean measuring = false;
            for (long tick = begin + SECOND; tick < end; tick += SECOND) {
                if (!measuring && tick > measureFrom) {
                    sleepUntil(measureFrom);
                    cpuTracker = CpuTime.ticks(plan.trackerPid());
                    cpuSelf = CpuTime.ticks(ProcessHandle.current().pid());
                    measuring = true;
                }
                sleepUntil(tick);
                long count = 0;
                for (Worker w : all) {
                    count += w.stats.progress.get();
                }
                long now = System.nanoTime();
                progress.printf(Locale.ROOT, "bench: %s %3d s %,10.0f/s %,12d answered%n",
                        measuring ? "measured" : "warm-up ", (now - (measuring ? measureFrom : begin)) / SECOND,
                        (count - lastCount) * (double) SECOND / (now - lastAt), count);
                lastCount = count;
                lastAt = now;
            }
            if (!measuring) {
                sleepUntil(measureFrom);
                cpuTracker = CpuTime.ticks(plan.trackerPid());
                cpuSelf = CpuTime.ticks(ProcessHandle.current().pid());
            }
            sleepUntil(end);
            long count = 0;
            for (Worker w : all) {
                count += w.stats.progress.get();
            }
            progress.printf(Locale.ROOT, "bench: measured window over, %,d answered; draining%n", count);
            trackerCores = cores(CpuTime.ticks(plan.trackerPid()), cpuTracker, plan);
            selfCores = cores(CpuTime.ticks(ProcessHandle.current().pid()), cpuSelf, plan);
        }
        for (Thread t : threads) {
            t.join();
        }
        WorkerStats total = new WorkerStats();
        for (Worker w : all) {
            Exception failure = w.stats.failure;
            if (failure != null && !(failure.getCause() instanceof BrokenBarrierException)) {
                throw new IOException(failure.getMessage(), failure);
            }
            total.add(w.stats);
        }
        return BenchResult.of(plan, total, trackerCores, selfCores);
    }

    private static double cores(long after, long before, BenchPlan plan) {
        if (after < 0 || before < 0) {
            return Double.NaN;
        }
        return (after - before) / (double) CpuTime.TICKS_PER_SECOND / (plan.duration().toNanos() / 1e9);
    }

    /** The info_hashes of the first {@code swarms} swarms, one lowercase hex per line: a tracker's whitelist. */
    public static void writeInfoHashes(int swarms, Path file) throws IOException {
        StringBuilder sb = new StringBuilder(swarms * 41);
        appendInfoHashes(swarms, sb);
        Files.writeString(file, sb);
    }

    public static void appendInfoHashes(int swarms, StringBuilder sb) {
        java.util.HexFormat hex = java.util.HexFormat.of();
        for (int s = 0; s < swarms; s++) {
            sb.append(hex.formatHex(Workload.infoHashBytes(s))).append('\n');
        }
    }

    /** The info_hash of swarm {@code swarm} (0-based) as lowercase hex, e.g. to sign a token for it. */
    public static String infoHashHex(int swarm) {
        return java.util.HexFormat.of().formatHex(Workload.infoHashBytes(swarm));
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
