package io.swarmgate.frontend.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.testing.CapturedLog;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Junk over real sockets: requests cut short at every byte, binary garbage, oversized request lines and headers,
 * bad percent-encoding, every method but GET, HTTP/1.0 and pipelining. Each gets a clean 4xx, a bencoded failure
 * or a closed connection (never a hung one), is counted in {@code swarmgate_http_rejected_total}, and the log
 * holds no warning and no stack trace.
 */
class HttpJunkIT {
    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    private static CapturedLog log;
    private static Swarmgate tracker;
    private static int port;

    @BeforeAll
    static void start() {
        log = CapturedLog.start();
        tracker = Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {port: 0}
                udp: {enabled: false}
                metrics: {enabled: false}
                """), METERS, InstantSource.system());
        port = tracker.httpPort();
    }

    @AfterAll
    static void stop() {
        tracker.close();
        log.close();
    }

    private static String announce(String peer) {
        return "/announce?info_hash=" + pct(id20("junk")) + "&peer_id=" + pct(id20(peer))
                + "&port=6881&uploaded=0&downloaded=0&left=10";
    }

    private static byte[] request(String method, String target, String version, String... headers) {
        StringBuilder sb = new StringBuilder(method + " " + target + " " + version + "\r\nHost: tracker\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends {@code bytes}, half-closes, and reads everything the tracker sends until it closes the connection. A
     * connection the tracker leaves hanging fails the test (5 s read timeout).
     */
    private static String exchange(byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                s.getOutputStream().write(bytes);
                s.shutdownOutput();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                fail("connection left open after " + bytes.length + " bytes: "
                        + new String(bytes, StandardCharsets.ISO_8859_1));
            } catch (SocketException e) {
                // reset by the tracker: a closed connection is an acceptable answer to junk
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Empty (closed), or an HTTP response with a 4xx status or a 200 with a bencoded dictionary. */
    private static void assertClean(String answer, String what) {
        if (answer.isEmpty()) {
            return;
        }
        assertTrue(answer.startsWith("HTTP/1.1 4") || answer.startsWith("HTTP/1.1 200"), what + ": " + answer);
        assertTrue(!answer.contains(" 500 ") && !answer.startsWith("HTTP/1.1 5"), what + ": " + answer);
        if (answer.startsWith("HTTP/1.1 200")) {
            byte[] body = answer.substring(answer.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.ISO_8859_1);
            Bencode.decodeDict(body);
        }
    }

    private static double rejected(String result) {
        Counter c = METERS.find(ConnectionGuard.METRIC).tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    private static void assertLogClean() {
        List<String> bad = log.warningsAndStackTraces();
        assertEquals(List.of(), bad, "the log must hold no warning or stack trace for client junk");
    }

    private static void assertStillServing() throws IOException {
        RawHttp.Response r = RawHttp.get(null, "127.0.0.1", port, announce("healthy"));
        assertEquals(200, r.status());
        assertTrue(Bencode.decodeDict(r.body()).containsKey("interval"));
    }

    @Test
    void requestCutShortAtEveryByte() throws IOException {
        byte[] full = request("GET", announce("cut"), "HTTP/1.1", "User-Agent: test/1.0", "Accept: */*");
        double before = rejected("truncated");
        for (int i = 0; i < full.length - 2; i++) {
            byte[] part = java.util.Arrays.copyOf(full, i);
            String answer = exchange(part);
            assertClean(answer, "cut at " + i);
        }
        // cut inside the header block: each is a 400 and a count, not a 500 and a stack trace
        assertTrue(rejected("truncated") - before >= 20, "truncated requests counted: " + rejected("truncated"));
        assertLogClean();
        assertStillServing();
    }

    @Test
    void binaryGarbage() throws IOException {
        Random random = new Random(41);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[1 + random.nextInt(i < 150 ? 64 : 4096)];
            random.nextBytes(junk);
            assertClean(exchange(junk), "garbage " + i);
        }
        // garbage after a valid request line: the header block is broken
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + random.nextInt(512)];
            random.nextBytes(junk);
            byte[] line = ("GET " + announce("g") + " HTTP/1.1\r\n").getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = java.util.Arrays.copyOf(line, line.length + junk.length);
            System.arraycopy(junk, 0, all, line.length, junk.length);
            assertClean(exchange(all), "garbage headers " + i);
        }
        assertLogClean();
        assertStillServing();
    }

    @Test
    void oversizedRequestLineAndHeaders() throws IOException {
        double before = rejected("too_large") + rejected("bad_request");
        String longLine = exchange(request("GET", announce("long") + "&x=" + "a".repeat(9000), "HTTP/1.1"));
        assertTrue(longLine.startsWith("HTTP/1.1 4"), longLine);
        String bigHeaders = exchange(request("GET", announce("big"), "HTTP/1.1", "X-Big: " + "b".repeat(20_000)));
        assertTrue(bigHeaders.startsWith("HTTP/1.1 4"), bigHeaders);
        String manyHeaders = exchange(request("GET", announce("many"), "HTTP/1.1",
                java.util.stream.IntStream.range(0, 2000).mapToObj(i -> "X-H" + i + ": v").toArray(String[]::new)));
        assertTrue(manyHeaders.startsWith("HTTP/1.1 4"), manyHeaders);
        assertTrue(rejected("too_large") + rejected("bad_request") - before >= 3);
        assertLogClean();
        assertStillServing();
    }

    @Test
    void badPercentEncodingAndParameters() throws IOException {
        for (String query : List.of("info_hash=%zz", "info_hash=%", "info_hash=%4", "peer_id=%G0&info_hash=%00",
                "info_hash=" + pct(id20("x")) + "&info_hash=" + pct(id20("y")), "", "&&&", "=&=", "port=99999",
                "info_hash=%E2%82", "left=-1", "%%%%", "a=%u0041")) {
            String answer = exchange(request("GET", "/announce?" + query, "HTTP/1.1", "Connection: close"));
            assertClean(answer, query);
            assertTrue(!answer.isEmpty(), query);
            String scrape = exchange(request("GET", "/scrape?" + query, "HTTP/1.1", "Connection: close"));
            assertClean(scrape, "scrape " + query);
        }
        assertLogClean();
    }

    @Test
    void everyMethodButGetIsRefused() throws IOException {
        double before = rejected("not_found") + rejected("bad_request");
        for (String method : List.of("POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT",
                "FOO")) {
            String answer = exchange(request(method, announce("m"), "HTTP/1.1", "Content-Length: 0"));
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), method + ": " + answer);
        }
        assertTrue(rejected("not_found") + rejected("bad_request") - before >= 8);
        // a POST whose body is cut short
        assertClean(exchange(request("POST", announce("m"), "HTTP/1.1", "Content-Length: 1000")), "short body");
        assertLogClean();
        assertStillServing();
    }

    /**
     * A request line whose method is not an HTTP token (a byte flipped on the wire, a non-ASCII or control byte,
     * a separator): Helidon's request-line parser throws on it outside its error handling, which made a 500 and
     * a WARNING with a stack trace per request. Now a 400 and a count, first request of a connection or after
     * an answered one.
     */
    @Test
    void aMethodThatIsNotATokenIsABadRequest() throws IOException {
        double before = rejected("bad_request");
        List<String> methods = List.of("G\u00ffT", "\u00e9GET", "GE\u0001T", "\u0000GET", "GET\u007f", "GE(T", "G\"ET",
                "GE/T", "GE{T}");
        for (String method : methods) {
            String answer = exchange(request(method, announce("tok"), "HTTP/1.1"));
            assertTrue(answer.startsWith("HTTP/1.1 400 "), method + ": " + answer);
        }
        // the same after a request that was answered, on one connection
        byte[] good = request("GET", announce("tok2"), "HTTP/1.1");
        byte[] bad = request("G\u00ffT", announce("tok2"), "HTTP/1.1");
        byte[] both = java.util.Arrays.copyOf(good, good.length + bad.length);
        System.arraycopy(bad, 0, both, good.length, bad.length);
        String answers = exchange(both);
        assertTrue(answers.startsWith("HTTP/1.1 200 OK") && answers.contains("HTTP/1.1 400 "), answers);
        assertEquals(methods.size() + 1, rejected("bad_request") - before, "each counted as a bad request");
        assertLogClean();
        assertStillServing();
    }

    @Test
    void http10AndPipelining() throws IOException {
        // HTTP/1.0 and other versions: 505, and the connection is closed
        double before = rejected("bad_version");
        for (String version : List.of("HTTP/1.0", "HTTP/2.0", "HTTP/0.9")) {
            String answer = exchange(request("GET", announce("old"), version));
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 505 ") || answer.startsWith("HTTP/1.1 4"),
                    version + ": " + answer);
        }
        assertTrue(rejected("bad_version") - before >= 1);
        assertClean(exchange(request("GET", announce("v"), "HTTX/1.1")), "HTTX/1.1");

        byte[] one = request("GET", announce("pipe1"), "HTTP/1.1");
        byte[] two = request("GET", announce("pipe2"), "HTTP/1.1");
        byte[] three = request("GET", "/scrape?info_hash=" + pct(id20("junk")), "HTTP/1.1");
        byte[] all = new byte[one.length + two.length + three.length];
        System.arraycopy(one, 0, all, 0, one.length);
        System.arraycopy(two, 0, all, one.length, two.length);
        System.arraycopy(three, 0, all, one.length + two.length, three.length);
        String answers = exchange(all);
        assertEquals(3, answers.split("HTTP/1.1 200 OK", -1).length - 1, answers);
        assertTrue(answers.contains("5:files"), answers);
        assertLogClean();
    }

    @Test
    void junkIsCountedByResult() throws IOException {
        exchange(request("GET", "/no-such-path", "HTTP/1.1"));
        exchange("GET /announce HTTP/1.1\r\nHost: x\r\nX-Half".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(rejected("not_found") >= 1);
        assertTrue(rejected("truncated") >= 1);
        Map<String, Object> d = Bencode.decodeDict(RawHttp.get(null, "127.0.0.1", port, "/announce?info_hash=abc")
                .body());
        assertTrue(((byte[]) d.get("failure reason")).length > 0);
        assertLogClean();
    }
}
