package io.swarmgate.frontend.http;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.swarmgate.config.HttpConfig;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;

/**
 * The HTTP listener: a Helidon WebServer routing the configured announce and scrape paths to
 * {@link TrackerHttpService}. Request lines longer than {@link #MAX_REQUEST_LINE} and header blocks larger
 * than {@link #MAX_HEADERS} are refused by Helidon with a 4xx before any of our code runs.
 */
public final class HttpFrontend implements AutoCloseable {
    /** Room for an announce with a signed JWT (RS256 tokens are ~700 characters), with margin. */
    static final int MAX_REQUEST_LINE = 8 * 1024;
    static final int MAX_HEADERS = 16 * 1024;

    private final WebServer server;

    private HttpFrontend(WebServer server) {
        this.server = server;
    }

    public static HttpFrontend start(HttpConfig config, TrackerLogic logic, RequestMetrics metrics) {
        TrackerHttpService service = new TrackerHttpService(config, logic, metrics);
        WebServer server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .addProtocol(Http1Config.builder()
                        .maxPrologueLength(MAX_REQUEST_LINE)
                        .maxHeadersSize(MAX_HEADERS)
                        .build())
                .routing(r -> r.register(service))
                .build()
                .start();
        return new HttpFrontend(server);
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
        server.stop();
    }
}
