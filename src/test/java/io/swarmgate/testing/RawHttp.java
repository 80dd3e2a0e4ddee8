package io.swarmgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal HTTP/1.1 GET over a plain socket, bound to a chosen source address: all of 127/8 is loopback, so
 * a test can announce "from" 127.1.1.5 and 127.2.0.9 and the tracker sees different racks. java.net.http
 * cannot choose the source address.
 */
public final class RawHttp {
    public record Response(int status, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private RawHttp() {
    }

    public static Response get(String sourceIp, String host, int port, String pathAndQuery, String... headers)
            throws IOException {
        try (Socket s = new Socket()) {
            if (sourceIp != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(sourceIp), 0));
            }
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 5000);
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: tracker\r\n"
                    + "Connection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(s.getInputStream());
        }
    }

    /** One keep-alive GET on an open connection (plain or TLS); the connection stays open for the next. */
    public static Response exchange(Socket s, String pathAndQuery) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: tracker\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return read(s.getInputStream());
    }

    /** Reads one response: up to Content-Length, or to the end of the stream (chunked or no length). */
    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        byte[] crlf2 = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        int n;
        while ((n = in.read(buf)) > 0) {
            all.write(buf, 0, n);
            byte[] sofar = all.toByteArray();
            int headerEnd = indexOf(sofar, crlf2);
            if (headerEnd >= 0) {
                String head = new String(sofar, 0, headerEnd, StandardCharsets.ISO_8859_1).toLowerCase();
                int cl = head.indexOf("content-length:");
                if (cl >= 0) {
                    int eol = head.indexOf("\r\n", cl);
                    int length = Integer.parseInt(head.substring(cl + 15, eol < 0 ? head.length() : eol).strip());
                    if (sofar.length >= headerEnd + 4 + length) {
                        return parse(Arrays.copyOf(sofar, headerEnd + 4 + length));
                    }
                }
            }
        }
        return parse(all.toByteArray());
    }

    private static Response parse(byte[] raw) throws IOException {
        int headerEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (headerEnd < 0) {
            throw new IOException("no HTTP header in " + raw.length + " bytes");
        }
        String head = new String(raw, 0, headerEnd, StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(head.substring(9, 12));
        byte[] body = Arrays.copyOfRange(raw, headerEnd + 4, raw.length);
        if (head.toLowerCase().contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        return new Response(status, body);
    }

    private static byte[] dechunk(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < b.length) {
            int lineEnd = indexOf(Arrays.copyOfRange(b, i, b.length), new byte[] {'\r', '\n'});
            int size = Integer.parseInt(new String(b, i, lineEnd, StandardCharsets.ISO_8859_1).strip(), 16);
            i += lineEnd + 2;
            if (size == 0) {
                break;
            }
            out.write(b, i, size);
            i += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
