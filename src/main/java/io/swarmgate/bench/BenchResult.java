package io.swarmgate.bench;

import java.util.Locale;

/**
 * What one run measured. Rates and percentiles cover the measured window only; the totals ({@link #announces},
 * {@link #scrapes}, {@link #connects}) cover the whole run, warm-up and drain included, so they equal what the
 * tracker counted as answered when nothing was lost.
 */
public record BenchResult(BenchPlan plan, long announces, long scrapes, long connects, long failures,
                          long timeouts, long malformed, long unreachable, long measured, double peersPerAnswer,
                          double p50Micros, double p99Micros, double p999Micros, double trackerCores,
                          double benchCores, String firstFailure, double sendLagP99Micros,
                          double sendLagP999Micros, double serviceP99Micros, double serviceP999Micros,
                          long late, long stray) {

    static BenchResult of(BenchPlan plan, WorkerStats s, double trackerCores, double benchCores) {
        return new BenchResult(plan, s.announces, s.scrapes, s.connects, s.failures, s.timeouts, s.malformed,
                s.unreachable, s.measured, s.measured == 0 ? 0 : s.peersReceived / (double) s.measured,
                s.latency.percentile(0.50), s.latency.percentile(0.99), s.latency.percentile(0.999), trackerCores,
                benchCores, s.firstFailure == null ? "" : s.firstFailure, s.sendLag.percentile(0.99),
                s.sendLag.percentile(0.999), s.service.percentile(0.99), s.service.percentile(0.999), s.late,
                s.stray);
    }

    /** Answers per second in the measured window. */
    public double rate() {
        return measured / (plan.duration().toNanos() / 1e9);
    }

    private String what() {
        return plan.scrape() ? "scrapes" : "announces";
    }

    private String mode() {
        return plan.protocol() == BenchPlan.Protocol.UDP ? "udp"
                : plan.keepAlive() ? "http keep-alive" : "http connection-per-request";
    }

    /** The lines a person reads. */
    public String summary() {
        String load = plan.protocol() == BenchPlan.Protocol.UDP
                ? plan.sockets() + " sockets x window " + plan.window() + " on " + plan.threads()
                        + (plan.threads() == 1 ? " thread" : " threads")
                : plan.inFlight() + " connections";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s %s: %,.0f %s/s over %s (%s, %d swarms, %d peers)%n", mode(),
                plan.target().getAddress().getHostAddress() + ":" + plan.target().getPort(), rate(), what(),
                human(plan.duration()), load, plan.workload().swarms(), plan.workload().peers()));
        sb.append(String.format(Locale.ROOT, "  latency p50 %s, p99 %s, p999 %s%n", micros(p50Micros),
                micros(p99Micros), micros(p999Micros)));
        if (plan.rate() > 0) {
            sb.append(String.format(Locale.ROOT, "  requests left p99 %s, p999 %s after they were due (the generator's"
                    + " own lateness, counted in the latency above)%n", micros(sendLagP99Micros),
                    micros(sendLagP999Micros)));
            sb.append(String.format(Locale.ROOT, "  answered p99 %s, p999 %s after they left, or were due if the"
                    + " window was full (the latency without the generator's own lateness)%n", micros(serviceP99Micros), micros(serviceP999Micros)));
        }
        sb.append(String.format(Locale.ROOT, "  %,d timed out (%,d answered later, %,d answers matching no request),"
                        + " %,d failures%s, %,d malformed, %,d unreachable;"
                        + "%s CPU: %sbench %.2f cores%n", timeouts, late, stray, failures,
                firstFailure.isEmpty() ? "" : " (first: \"" + firstFailure + "\")", malformed, unreachable,
                plan.scrape() ? "" : String.format(Locale.ROOT, " %.1f peers per answer;", peersPerAnswer),
                Double.isNaN(trackerCores) ? "" : String.format(Locale.ROOT, "tracker %.2f cores (%.2f µs per "
                        + "request), ", trackerCores, trackerCores * 1e6 / Math.max(1, rate())),
                benchCores));
        sb.append(String.format(Locale.ROOT, "  answered over the whole run (warm-up and drain included): %,d"
                + " announces, %,d scrapes, %,d connects%n", announces, scrapes, connects));
        return sb.toString();
    }

    /** One line of key=value pairs for scripts. */
    public String machineLine() {
        return String.format(Locale.ROOT, "BENCH protocol=%s keep_alive=%s scrape=%s target=%s duration_s=%.1f"
                        + " sockets=%d window=%d swarms=%d peers=%d rate=%.0f p50_us=%.0f p99_us=%.0f"
                        + " p999_us=%.0f timeouts=%d failures=%d malformed=%d unreachable=%d announces=%d"
                        + " scrapes=%d connects=%d peers_per_answer=%.1f tracker_cores=%.3f bench_cores=%.3f"
                        + " threads=%d send_lag_p99_us=%.0f send_lag_p999_us=%.0f service_p99_us=%.0f"
                        + " service_p999_us=%.0f late=%d stray=%d",
                plan.protocol().name().toLowerCase(Locale.ROOT), plan.keepAlive(), plan.scrape(),
                plan.target().getAddress().getHostAddress() + ":" + plan.target().getPort(),
                plan.duration().toNanos() / 1e9, plan.sockets(), plan.window(), plan.workload().swarms(),
                plan.workload().peers(), rate(), p50Micros, p99Micros, p999Micros, timeouts, failures, malformed,
                unreachable, announces, scrapes, connects, peersPerAnswer, trackerCores, benchCores,
                plan.threads(), sendLagP99Micros, sendLagP999Micros, serviceP99Micros, serviceP999Micros, late, stray);
    }

    private static String micros(double us) {
        if (Double.isNaN(us)) {
            return "-";
        }
        return us >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000) : String.format(Locale.ROOT,
                "%,.0f µs", us);
    }

    private static String human(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
