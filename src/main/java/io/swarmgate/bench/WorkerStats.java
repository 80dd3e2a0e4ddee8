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
    /** Answers over the whole run, warm-up and drain included: what the tracker counted as served. */
    long announces;
    long scrapes;
    long connects;
    /** Error packets (UDP) or bencoded failure reasons (HTTP). */
    long failures;
    long timeouts;
    long malformed;
    /** ICMP port unreachable (UDP), refused or reset connections (HTTP). */
    long unreachable;
    /** Answered requests sent inside the measured window. */
    long measured;
    long peersReceived;
    String firstFailure;
    Exception failure;
    final AtomicLong progress = new AtomicLong();

    void answered(boolean inWindow, long nanos, boolean announce, int peers) {
        if (announce) {
            announces++;
        } else {
            scrapes++;
        }
        if (inWindow) {
            measured++;
            peersReceived += peers;
            latency.recordNanos(nanos);
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
        announces += o.announces;
        scrapes += o.scrapes;
        connects += o.connects;
        failures += o.failures;
        timeouts += o.timeouts;
        malformed += o.malformed;
        unreachable += o.unreachable;
        measured += o.measured;
        peersReceived += o.peersReceived;
        if (firstFailure == null) {
            firstFailure = o.firstFailure;
        }
    }
}
