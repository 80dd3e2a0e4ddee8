package io.swarmgate.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One benchmark run, checked: the target, how long, and how much is in flight. UDP opens {@code sockets}
 * sockets with {@code window} requests outstanding on each; HTTP, which has one request per connection at a
 * time, opens {@code sockets × window} connections, so both put the same number of requests in flight.
 *
 * @param threads    UDP: the threads sharing the sockets, each multiplexing its share through one selector; 0
 *                   asks for one per core this process may use (its CPU affinity), at most one per socket
 * @param trackerPid the tracker's process id for its CPU share (Linux {@code /proc}), or 0 when unknown
 * @param rate       requests per second offered open-loop ({@link Pacer}), or 0 to send as fast as answers come
 */
public record BenchPlan(Protocol protocol, InetSocketAddress target, Duration duration, Duration warmup,
                        int sockets, int window, boolean scrape, boolean keepAlive, Duration timeout,
                        long trackerPid, Workload workload, int rate, int threads) {

    /** The wire to load. */
    public enum Protocol { UDP, HTTP }

    public BenchPlan {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(workload, "workload");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        if (sockets < 1 || sockets > 1024) {
            throw new IllegalArgumentException("--sockets must be 1..1024, got " + sockets);
        }
        if (window < 1 || window > 4096) {
            throw new IllegalArgumentException("--window must be 1..4096, got " + window);
        }
        if (protocol == Protocol.HTTP && sockets * window > 4096) {
            throw new IllegalArgumentException("HTTP opens --sockets x --window connections; at most 4096");
        }
        if (timeout.toMillis() < 10) {
            throw new IllegalArgumentException("--timeout must be at least 10ms");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must not be negative, got " + rate);
        }
        if (protocol == Protocol.HTTP && threads != 0) {
            throw new IllegalArgumentException("--threads is for udp (http runs a virtual thread per connection)");
        }
        if (threads < 0 || threads > sockets) {
            throw new IllegalArgumentException("--threads must be 1.." + sockets + " (--sockets), got " + threads);
        }
        if (threads == 0) {
            threads = Math.min(sockets, Runtime.getRuntime().availableProcessors());
        }
    }

    /** The closed-loop plan most callers want: as fast as the answers come. */
    public BenchPlan(Protocol protocol, InetSocketAddress target, Duration duration, Duration warmup,
                     int sockets, int window, boolean scrape, boolean keepAlive, Duration timeout,
                     long trackerPid, Workload workload) {
        this(protocol, target, duration, warmup, sockets, window, scrape, keepAlive, timeout, trackerPid, workload,
                0, 0);
    }

    /** This worker's open-loop schedule from the run's start, or null for a closed loop. */
    Pacer pacer(Schedule schedule, int workers, int index) {
        return rate == 0 ? null : new Pacer(schedule.measureFrom() - warmup.toNanos(), rate, workers, index);
    }

    /** Requests in flight at any time. */
    int inFlight() {
        return sockets * window;
    }
}
