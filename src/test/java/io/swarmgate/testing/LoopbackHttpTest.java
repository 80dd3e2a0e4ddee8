package io.swarmgate.testing;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoopbackHttpTest {
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        // answers "<remote address> <query>", chunked for /chunked and with a length otherwise
        server.createContext("/", exchange -> {
            byte[] body = (exchange.getRemoteAddress().getAddress().getHostAddress() + " "
                    + exchange.getRequestURI().getRawQuery()).getBytes(StandardCharsets.ISO_8859_1);
            boolean chunked = exchange.getRequestURI().getPath().equals("/chunked");
            exchange.sendResponseHeaders(chunked ? 404 : 200, chunked ? 0 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void theServerSeesTheChosenLoopbackSourceAddress() throws IOException {
        int port = server.getAddress().getPort();
        LoopbackHttp.Response r = LoopbackHttp.get("127.1.1.5", port, "/announce?info_hash=%AA%BB");
        assertEquals(200, r.status());
        assertEquals("127.1.1.5 info_hash=%AA%BB", r.bodyText());

        LoopbackHttp.Response other = LoopbackHttp.get("127.2.9.200", port, "/chunked?x=1");
        assertEquals(404, other.status());
        assertEquals("chunked", other.headers().get("transfer-encoding"));
        assertEquals("127.2.9.200 x=1", other.bodyText());
    }
}
