package io.swarmgate.metrics;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.config.HttpConfig;
import io.swarmgate.config.MetricsConfig;
import io.swarmgate.frontend.http.ConnectionGuard;
import io.swarmgate.logging.JsonStrings;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The operator's listener, apart from the tracker's own ports so that it can be firewalled separately and a
 * flood of announces cannot starve a scrape or a probe:
 * <ul>
 *   <li>{@code GET /metrics}: the registry in the Prometheus text format 0.0.4, or OpenMetrics 1.0 when the
 *   {@code Accept} header asks for {@code application/openmetrics-text};</li>
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} while the process serves requests at all;</li>
 *   <li>{@code GET /health/ready}: 200 {@code {"status":"UP"}} when {@link Readiness} gives no reason, else 503
 *   {@code {"status":"DOWN","reasons":[...]}}.</li>
 * </ul>
 * plus whatever {@link OperatorRoutes} the tracker's components add (the accounting hook's totals).
 * Plain Helidon routes rather than Helidon's observe/health modules: those answer in their own JSON shape and
 * bring an older Micrometer through a bridge (see docs/observability.md).
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(MetricsServer.class.getName());

    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String JSON = "application/json";
    private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);

    /** The counter of requests refused before a route ({@link ConnectionGuard}), tagged {@code result}. */
    static final String REJECTED = "swarmgate.metrics.rejected";
    /** How long a request's headers may take after its request line: the tracker listener's default. */
    static final Duration REQUEST_TIMEOUT = HttpConfig.DEFAULTS.requestTimeout();

    private final WebServer server;
    private final ConnectionGuard guard;
    private final PrometheusMeterRegistry registry;
    private final Readiness readiness;
    private final List<OperatorRoutes> extraRoutes;
    private final Object readyLock = new Object();
    private List<String> lastReasons;

    private MetricsServer(MetricsConfig config, PrometheusMeterRegistry registry, Readiness readiness,
                          List<OperatorRoutes> extraRoutes) {
        this.registry = registry;
        this.readiness = readiness;
        this.extraRoutes = List.copyOf(extraRoutes);
        var builder = WebServer.builder();
        // broken, cut-short and slow requests as on the tracker's listener: a 4xx and a count, never a stack trace
        this.guard = ConnectionGuard.install(builder, Http1Config.builder(), "metrics", REJECTED, REQUEST_TIMEOUT,
                registry);
        this.server = builder
                .host(config.host())
                .port(config.port())
                // the tracker decides when to stop this listener (after readiness has gone down), not a JVM hook
                .shutdownHook(false)
                .routing(this::routing)
                .build();
    }

    /**
     * Binds {@code config.host():config.port()} (port 0 picks a free one) and serves until {@link #close()}.
     * The caller checks {@code config.enabled()} first.
     *
     * @throws IllegalStateException when the address cannot be bound, naming it
     */
    public static MetricsServer start(MetricsConfig config, PrometheusMeterRegistry registry, Readiness readiness) {
        return start(config, registry, readiness, List.of());
    }

    /** The same, with routes of other components beside the built-in ones. */
    public static MetricsServer start(MetricsConfig config, PrometheusMeterRegistry registry, Readiness readiness,
                                      List<OperatorRoutes> extraRoutes) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("metrics.enabled is false: do not start the metrics listener");
        }
        MetricsServer s = new MetricsServer(config, registry, readiness, extraRoutes);
        try {
            s.server.start();
        } catch (RuntimeException e) {
            s.guard.close();
            throw cannotBind(config, rootMessage(e), e);
        }
        if (!s.server.isRunning()) {
            s.guard.close();
            // Helidon logs a failed bind and returns a stopped server instead of throwing
            throw cannotBind(config, bindProblem(config), null);
        }
        return s;
    }

    private static IllegalStateException cannotBind(MetricsConfig config, String why, Throwable cause) {
        return new IllegalStateException("metrics listener cannot bind " + hostPort(config.host(), config.port())
                + " (metrics.host/metrics.port): " + why, cause);
    }

    /** Why the address cannot be bound, asked of the OS again since Helidon only logged it. */
    private static String bindProblem(MetricsConfig config) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(
                    InetAddress.getByAddress(IpAddress.parse(config.host()).bytes()), config.port()));
            return "the listener did not start (see the error logged above)";
        } catch (IOException | IllegalArgumentException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    private void routing(HttpRouting.Builder rules) {
        rules.get("/metrics", this::metrics)
                .get("/health/live", (req, res) -> json(res, Status.OK_200, UP))
                .get("/health/ready", this::ready);
        for (OperatorRoutes routes : extraRoutes) {
            routes.routing(rules);
        }
    }

    /** The port actually bound (differs from the configured one when that was 0). */
    public int port() {
        return server.port();
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        String contentType = wantsOpenMetrics(req.headers().all(HeaderNames.ACCEPT, List::of)) ? OPENMETRICS : TEXT_004;
        byte[] body = registry.scrape(contentType).getBytes(StandardCharsets.UTF_8);
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body);
    }

    static boolean wantsOpenMetrics(List<String> accept) {
        for (String value : accept) {
            if (value.contains("application/openmetrics-text")) {
                return true;
            }
        }
        return false;
    }

    private void ready(ServerRequest req, ServerResponse res) {
        List<String> reasons;
        try {
            reasons = List.copyOf(readiness.notReadyReasons());
        } catch (RuntimeException e) {
            reasons = List.of("readiness check failed: " + e);
        }
        logTransition(reasons);
        if (reasons.isEmpty()) {
            json(res, Status.OK_200, UP);
            return;
        }
        StringBuilder b = new StringBuilder("{\"status\":\"DOWN\",\"reasons\":[");
        for (int i = 0; i < reasons.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            JsonStrings.append(b, reasons.get(i));
        }
        b.append("]}");
        json(res, Status.SERVICE_UNAVAILABLE_503, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Probes come every few seconds: log only when readiness changes, so the log shows when and why. */
    private void logTransition(List<String> reasons) {
        synchronized (readyLock) {
            if (reasons.equals(lastReasons)) {
                return;
            }
            boolean first = lastReasons == null;
            lastReasons = reasons;
            if (!reasons.isEmpty()) {
                LOG.log(Level.WARNING, "not ready: " + String.join("; ", reasons));
            } else if (!first) {
                LOG.log(Level.INFO, "ready");
            }
        }
    }

    private static void json(ServerResponse res, Status status, byte[] body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body);
    }

    @Override
    public void close() {
        server.stop();
        guard.close();
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
