package io.swarmgate.bench;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;

import java.nio.charset.StandardCharsets;

/**
 * Helidon's floor: a WebServer with the tracker's HTTP/1 limits and one trivial {@code GET /announce} route that
 * sends a fixed bencoded answer of a typical size (50 compact peers) without reading the query. What a tracker
 * announce costs above what this costs is the tracker's own work; what this costs is the server's.
 */
public final class FloorServer implements AutoCloseable {
    private static final byte[] BODY = body();
    private final WebServer server;

    private FloorServer(WebServer server) {
        this.server = server;
    }

    public static FloorServer start(String host, int port) {
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownHook(false)
                .addProtocol(Http1Config.builder().maxPrologueLength(8 * 1024).maxHeadersSize(16 * 1024).build())
                .routing(r -> r.get("/announce", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "text/plain");
                    res.header(HeaderNames.CACHE_CONTROL, "no-store");
                    res.send(BODY);
                }))
                .build()
                .start();
        if (!server.isRunning()) {
            throw new IllegalStateException("cannot listen on " + host + " port " + port);
        }
        return new FloorServer(server);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }

    private static byte[] body() {
        byte[] peers = new byte[50 * 6];
        for (int i = 0; i < 50; i++) {
            peers[i * 6] = 127;
            peers[i * 6 + 3] = (byte) (i + 1);
            peers[i * 6 + 4] = 0x1a;
            peers[i * 6 + 5] = (byte) (0xe1 + i);
        }
        byte[] head = "d8:completei10e10:incompletei40e8:intervali1800e12:min intervali900e5:peers300:"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + peers.length + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(peers, 0, out, head.length, peers.length);
        out[out.length - 1] = 'e';
        return out;
    }
}
