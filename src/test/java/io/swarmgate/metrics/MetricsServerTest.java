package io.swarmgate.metrics;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.testing.Exposition;
import io.helidon.metadata.hson.Hson;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.config.MetricsConfig;
import io.swarmgate.testing.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics listener over a real socket: exposition, content negotiation and the health endpoints. */
class MetricsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<List<String>> reasons = new AtomicReference<>(List.of());
    private Meters meters;
    private MetricsServer server;

    @BeforeEach
    void start() {
        meters = Meters.create();
        server = MetricsServer.start(new MetricsConfig(true, "127.0.0.1", 0), meters.registry(), reasons::get);
    }

    @AfterEach
    void stop() {
        server.close();
        meters.close();
        http.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsAreCountedAndTimedByFrontendActionFamilyAndResult() throws Exception {
        RequestMetrics requests = new RequestMetrics(meters.registry());
        requests.record(Frontend.HTTP, Action.ANNOUNCE, AddressFamily.IPV4, RequestMetrics.OK, 2_000_000);
        requests.record(Frontend.HTTP, Action.ANNOUNCE, AddressFamily.IPV4, RequestMetrics.OK, 4_000_000);
        requests.recordError(Frontend.UDP, Action.SCRAPE, AddressFamily.IPV6,
                ClientError.badRequest("too many info_hashes"), 50_000);

        HttpResponse<String> res = get("/metrics");
        assertEquals(200, res.statusCode());
        assertEquals(MetricsServer.TEXT_004, res.headers().firstValue("Content-Type").orElseThrow());
        Exposition e = Exposition.parse(res.body());
        Map<String, String> httpOk = Map.of("frontend", "http", "action", "announce", "address_family", "ipv4",
                "result", "ok");
        assertEquals(2, e.value("swarmgate_requests_seconds_count", httpOk));
        assertEquals(0.006, e.value("swarmgate_requests_seconds_sum", httpOk), 1e-9);
        Map<String, String> udpBad = Map.of("frontend", "udp", "action", "scrape", "address_family", "ipv6",
                "result", "bad_request");
        assertEquals(1, e.value("swarmgate_requests_seconds_count", udpBad));
        // a latency histogram: a 50 µs request is in the le=5.0E-5 bucket and every larger one
        List<Exposition.Sample> buckets = e.find("swarmgate_requests_seconds_bucket", udpBad);
        assertEquals(RequestMetrics.BUCKETS.length + 1, buckets.size(), "histogram buckets and +Inf: " + buckets);
        for (Exposition.Sample b : buckets) {
            double le = b.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY
                    : Double.parseDouble(b.labels().get("le"));
            assertEquals(le >= 50e-6 ? 1.0 : 0.0, b.value(), "bucket " + b);
        }
    }

    @Test
    void jvmAndProcessMetricsAreExported() throws Exception {
        Exposition e = Exposition.parse(get("/metrics").body());
        for (String name : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_cpu_usage", "process_cpu_seconds_total", "system_cpus", "process_uptime_seconds", "process_files_open_files",
                "jvm_info")) {
            assertTrue(e.names().contains(name), name + " missing; names: " + e.names());
        }
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        new RequestMetrics(meters.registry())
                .record(Frontend.UDP, Action.CONNECT, AddressFamily.IPV4, RequestMetrics.OK, 1000);
        HttpResponse<String> res = get("/metrics",
                "Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertEquals(200, res.statusCode());
        assertEquals(MetricsServer.OPENMETRICS, res.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(res.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(res.body().contains("swarmgate_requests_seconds_count{"), res.body());
    }

    @Test
    void liveIsUpWhileServing() throws Exception {
        HttpResponse<String> res = get("/health/live");
        assertEquals(200, res.statusCode());
        assertEquals("application/json", res.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("UP", json(res.body()).stringValue("status").orElseThrow());
    }

    @Test
    void readyFollowsTheReadinessReasons() throws Exception {
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("UP", json(ready.body()).stringValue("status").orElseThrow());

        List<String> why = List.of("JWT key set not loaded yet", "store \"redis\" unreachable:\nping timed out");
        reasons.set(why);
        HttpResponse<String> down = get("/health/ready");
        assertEquals(503, down.statusCode());
        assertEquals("application/json", down.headers().firstValue("Content-Type").orElseThrow());
        Hson.Struct body = json(down.body());
        assertEquals("DOWN", body.stringValue("status").orElseThrow());
        assertEquals(why, body.stringArray("reasons").orElseThrow());
        // liveness does not follow readiness: a restart would not load the key set any sooner
        assertEquals(200, get("/health/live").statusCode());

        reasons.set(List.of());
        assertEquals(200, get("/health/ready").statusCode());
    }

    @Test
    void aReadinessCheckThatThrowsMeansNotReady() throws Exception {
        server.close();
        server = MetricsServer.start(new MetricsConfig(true, "127.0.0.1", 0), meters.registry(), () -> {
            throw new IllegalStateException("boom");
        });
        HttpResponse<String> res = get("/health/ready");
        assertEquals(503, res.statusCode());
        assertEquals(List.of("readiness check failed: java.lang.IllegalStateException: boom"),
                json(res.body()).stringArray("reasons").orElseThrow());
    }

    /**
     * Broken requests on the operator's listener, as on the tracker's: a request line whose method is not a
     * token and a request cut short inside its headers are each a 400 and a count in
     * {@code swarmgate_metrics_rejected_total}, never a 500 and a stack trace in the log (both were, before the
     * listener had the tracker listener's guard).
     */
    @Test
    void brokenRequestsAreCountedNeverLogged() throws Exception {
        try (CapturedLog log = CapturedLog.start()) {
            for (String junk : List.of("G\u00ffT /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GE(T /health/ready HTTP/1.1\r\nHost: x\r\n\r\n", "\u0001GET /metrics HTTP/1.1\r\n\r\n")) {
                assertTrue(exchange(junk).startsWith("HTTP/1.1 400 "), junk);
            }
            String cut = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/pl");
            assertTrue(cut.isEmpty() || cut.startsWith("HTTP/1.1 400 "), cut);
            assertEquals(List.of(), log.warningsAndStackTraces());
        }
        assertEquals(3.0, meters.registry().get(MetricsServer.REJECTED).tag("result", "bad_request").counter()
                .count());
        assertEquals(1.0, meters.registry().get(MetricsServer.REJECTED).tag("result", "truncated").counter()
                .count());
        assertEquals(200, get("/health/live").statusCode(), "still serving");
    }

    /** Sends {@code request}'s bytes (ISO-8859-1), half-closes, and returns all the listener answers. */
    private String exchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void otherPathsAreNotFound() throws Exception {
        assertEquals(404, get("/announce").statusCode());
    }

    @Test
    void aBusyPortFailsNamingTheAddressAndTheKeys() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MetricsServer.start(
                new MetricsConfig(true, "127.0.0.1", server.port()), meters.registry(), Readiness.READY));
        assertTrue(e.getMessage().contains("127.0.0.1:" + server.port()), e.getMessage());
        assertTrue(e.getMessage().contains("metrics.port"), e.getMessage());
    }

    @Test
    void refusesToStartWhenDisabled() {
        assertThrows(IllegalArgumentException.class, () -> MetricsServer.start(
                new MetricsConfig(false, "127.0.0.1", 0), meters.registry(), Readiness.READY));
    }

    @Test
    void readinessPartsAreCombinedInOrder() {
        Readiness r = Readiness.allOf(List.of(() -> List.of("a"), Readiness.READY, () -> List.of("b", "c")));
        assertEquals(List.of("a", "b", "c"), r.notReadyReasons());
    }

    static Hson.Struct json(String body) {
        return Hson.parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))).asStruct();
    }
}
