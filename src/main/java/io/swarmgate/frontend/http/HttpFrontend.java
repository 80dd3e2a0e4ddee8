package io.swarmgate.frontend.http;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.config.HttpConfig;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Filter;
import java.util.logging.Logger;

/**
 * The HTTP listener: a Helidon WebServer routing the configured announce and scrape paths to
 * {@link TrackerHttpService}. Request lines longer than {@link #MAX_REQUEST_LINE} and header blocks larger
 * than {@link #MAX_HEADERS} are refused by Helidon with a 4xx before any of our code runs. Requests that never
 * reach a route (malformed, cut short, too slow) are {@link ConnectionGuard}'s. With {@code http.tls} the
 * listener speaks only HTTPS (TLS 1.2 and 1.3), its certificate kept current by {@link CertificateReloader}.
 */
public final class HttpFrontend implements AutoCloseable {
    /** Room for an announce with a signed JWT (RS256 tokens are ~700 characters), with margin. */
    static final int MAX_REQUEST_LINE = 8 * 1024;
    static final int MAX_HEADERS = 16 * 1024;

    /** The JUL logger of Helidon's accept loop (io.helidon.webserver.ServerListener), see {@link #close()}. */
    private static final String HELIDON_LISTENER_LOGGER = "io.helidon.webserver.ServerListener";

    private final WebServer server;
    private final ConnectionGuard guard;
    private final CertificateReloader certificates;

    private HttpFrontend(WebServer server, ConnectionGuard guard, CertificateReloader certificates) {
        this.server = server;
        this.guard = guard;
        this.certificates = certificates;
    }

    public static HttpFrontend start(HttpConfig config, TrackerLogic logic, RequestMetrics metrics,
                                     MeterRegistry meters) {
        return start(config, logic, metrics, meters, SwarmgateConfig.DEFAULT_SHUTDOWN_GRACE_PERIOD);
    }

    /**
     * @param shutdownGracePeriod how long {@link #close()} lets requests already being read or handled finish
     *                            (Helidon's own default, 500 ms, would cut a slow client's or a slow store's
     *                            request short); idle connections are closed at once
     */
    @SuppressWarnings("removal") // validateRequestHostHeader: see below
    public static HttpFrontend start(HttpConfig config, TrackerLogic logic, RequestMetrics metrics,
                                     MeterRegistry meters, Duration shutdownGracePeriod) {
        TrackerHttpService service = new TrackerHttpService(config, logic, metrics);
        // first, so that unreadable files fail start-up before any thread is started
        CertificateReloader.Loaded tls = config.tls().map(CertificateReloader::load).orElse(null);
        var builder = WebServer.builder();
        ConnectionGuard guard = ConnectionGuard.install(builder, Http1Config.builder()
                .maxPrologueLength(MAX_REQUEST_LINE)
                .maxHeadersSize(MAX_HEADERS)
                // Host is not used for anything (one tracker per listener): Helidon's simple check (a port, if
                // given, is a number) instead of its full RFC 3986 parse with regexes, ~5% of a keep-alive
                // announce's CPU (docs/performance.md)
                .validateRequestHostHeader(false), "http", ConnectionGuard.METRIC, config.requestTimeout(), meters);
        WebServer server;
        try {
            if (tls != null) {
                builder.tls(tls.tls());
            }
            server = builder
                    .host(config.host())
                    .port(config.port())
                    .shutdownHook(false)
                    .shutdownGracePeriod(shutdownGracePeriod)
                    .maxTcpConnections(config.maxConnections())
                    .idleConnectionTimeout(config.idleTimeout())
                    // Helidon refreshes a connection's idle timestamp at most once a second
                    .idleConnectionPeriod(idleCheckPeriod(config.idleTimeout()))
                    .routing(r -> r.register(service))
                    .build()
                    .start();
        } catch (RuntimeException e) {
            guard.close();
            closeReloader(tls);
            throw e;
        }
        if (!server.isRunning()) {
            guard.close();
            closeReloader(tls);
            // Helidon logs a failed bind and returns a stopped server instead of throwing
            throw new IllegalStateException("cannot listen on http " + config.host() + " port " + config.port()
                    + " (http.host / http.port): address in use or not available");
        }
        CertificateReloader certificates = null;
        if (tls != null) {
            certificates = tls.reloader();
            certificates.watch(server);
        }
        return new HttpFrontend(server, guard, certificates);
    }

    private static void closeReloader(CertificateReloader.Loaded tls) {
        if (tls != null) {
            tls.reloader().close();
        }
    }

    private static Duration idleCheckPeriod(Duration idleTimeout) {
        Duration tenth = idleTimeout.dividedBy(10);
        return tenth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1)
                : tenth.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : tenth;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.port();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    @Override
    public void close() {
        if (certificates != null) {
            certificates.close();
        }
        // Helidon's accept loop may hand a connection it accepted in the instant the listener closes to its
        // already terminated executor, and logs that as an ERROR with a stack trace (SigtermIT saw it under
        // load). The client only sees its connection closed before an answer, like one still in the kernel's
        // accept queue: nothing for an operator to read, so that one record is dropped while stopping.
        Logger listenerLog = Logger.getLogger(HELIDON_LISTENER_LOGGER);
        Filter previous = listenerLog.getFilter();
        listenerLog.setFilter(r -> !(r.getThrown() instanceof RejectedExecutionException)
                && (previous == null || previous.isLoggable(r)));
        try {
            server.stop();
        } finally {
            listenerLog.setFilter(previous);
        }
        guard.close();
    }
}
