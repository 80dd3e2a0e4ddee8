package io.swarmgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 GET sent from a chosen source address, so tests can play peers in different "racks" over real
 * loopback sockets: on Linux all of 127.0.0.0/8 is local, so a socket bound to 127.1.1.5 reaches a server on
 * 127.0.0.1 and the server sees 127.1.1.5 as the remote address. {@code java.net.http.HttpClient} cannot pick
 * its source address, hence a raw socket. The response is read to the end ({@code Connection: close}), with
 * {@code Content-Length} and chunked bodies decoded.
 */
public final class LoopbackHttp {
    private static final int TIMEOUT_MS = 10_000;

    /** Status, headers (names lowercased; the last of repeated headers wins) and the decoded body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private LoopbackHttp() {
    }

    /** GET {@code pathAndQuery} (already percent-encoded, starting with '/') from {@code sourceIp} to 127.0.0.1. */
    public static Response get(String sourceIp, int port, String pathAndQuery) throws IOException {
        return get(sourceIp, "127.0.0.1", port, pathAndQuery);
    }

    public static Response get(String sourceIp, String serverIp, int port, String pathAndQuery) throws IOException {
        InetAddress server = InetAddress.getByName(serverIp); // numeric literals only: no lookup
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(sourceIp), 0));
            socket.connect(new InetSocketAddress(server, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            String host = server.getHostAddress().contains(":") ? "[" + server.getHostAddress() + "]"
                    : server.getHostAddress();
            String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
                    + "Host: " + host + ":" + port + "\r\n"
                    + "User-Agent: swarmgate-test\r\n"
                    + "Connection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
            }
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = line(in);
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).strip(), 16);
                if (size == 0) {
                    while (!line(in).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                buf.write(in.readNBytes(size));
                line(in);
            }
            body = buf.toByteArray();
        } else if (headers.containsKey("content-length")) {
            int length = Integer.parseInt(headers.get("content-length"));
            body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("body ended after " + body.length + " of " + length + " bytes");
            }
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body);
    }

    /** One CRLF-terminated line without its terminator. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = buf.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            buf.write(b);
        }
        throw new IOException("connection closed in the middle of a line");
    }
}
