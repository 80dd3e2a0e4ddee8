package io.swarmgate.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One worker's counters. Only its own thread writes them, until it is joined; {@link #progress} is the one
 * value the progress line reads while it runs.
 */
final class WorkerStats {
    final LatencyHistogram latency = new LatencyHistogram();
    /**
     * Open loop: how long after it was due each measured request left. Part of its latency, and the generator's
     * own (its thread or its core was busy, its timer fired late), not the tracker's.
     */
    final LatencyHistogram sendLag = new LatencyHistogram();
    /**
     * From when each measured request left to its answer (or, open loop, from when it was due if it had to wait
     * for a free slot: that wait is the tracker's backlog): the latency without the generator's own lateness in
     * sending (it still holds any lateness in reading the answer). Equal to {@link #latency} in a closed loop.
     */
    final LatencyHistogram service = new LatencyHistogram();
    /** Answers over the whole run, warm-up and drain included: what the tracker counted as served. */
    long announces;
    long scrapes;
    long connects;
    /** Error packets (UDP) or bencoded failure reasons (HTTP). */
    long failures;
    long timeouts;
    /** UDP answers that came after their request was counted as timed out (its slot reused meanwhile). */
    long late;
    /** UDP answers whose transaction id matches no request this generator has outstanding or timed out. */
    long stray;
    long malformed;
    /** ICMP port unreachable (UDP), refused or reset connections (HTTP). */
    long unreachable;
    /** Answered requests sent inside the measured window. */
    long measured;
    long peersReceived;
    String firstFailure;
    Exception failure;
    final AtomicLong progress = new AtomicLong();

    /**
     * @param nanos        from when the request was due (open loop) or sent (closed loop) to its answer
     * @param serviceNanos from when it actually left to its answer
     */
    void answered(boolean inWindow, long nanos, long serviceNanos, boolean announce, int peers) {
        if (announce) {
            announces++;
        } else {
            scrapes++;
        }
        if (inWindow) {
            measured++;
            peersReceived += peers;
            latency.recordNanos(nanos);
            service.recordNanos(serviceNanos);
        }
        progress.lazySet(announces + scrapes);
    }

    void sent(boolean inWindow, long nanosAfterDue) {
        if (inWindow) {
            sendLag.recordNanos(nanosAfterDue);
        }
    }

    void failed(String reason) {
        failures++;
        if (firstFailure == null) {
            firstFailure = reason;
        }
    }

    void add(WorkerStats o) {
        latency.add(o.latency);
        sendLag.add(o.sendLag);
        service.add(o.service);
        announces += o.announces;
        scrapes += o.scrapes;
        connects += o.connects;
        failures += o.failures;
        timeouts += o.timeouts;
        late += o.late;
        stray += o.stray;
        malformed += o.malformed;
        unreachable += o.unreachable;
        measured += o.measured;
        peersReceived += o.peersReceived;
        if (firstFailure == null) {
            firstFailure = o.firstFailure;
        }
    }
}
