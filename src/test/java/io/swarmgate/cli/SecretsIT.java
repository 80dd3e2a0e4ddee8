package io.swarmgate.cli;

import io.swarmgate.Swarmgate;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.metrics.Meters;
import io.swarmgate.testing.CapturedLog;
import io.swarmgate.testing.JwtYaml;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.swarmgate.testing.Wire.eventually;
import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every secret a configuration can hold (the UDP connection-id secret, a database password in a JDBC URL's query
 * and in its user-info, the user-info of a JWK set URL and of the Redis URI), used by a running tracker that is then sent junk and whose
 * database and JWK set server are unreachable, and by {@code config check} on good and refused files: none of the
 * secret values may appear in the log, the /metrics exposition, {@code config check}'s output or an error message.
 * An operator pastes all of these into tickets and chat.
 */
class SecretsIT {
    // closed ports of this test's range: nothing listens there, so the database and the JWK set server are away
    private static final int CLOSED_DB_PORT = 26901;
    private static final int CLOSED_JWKS_PORT = 26902;

    private static final String UDP_SECRET = "udpsecret-Q7kZ9x1mP3vR8tY2wL5nB4c";
    private static final String ENV_UDP_SECRET = "envsecret-Hd83Jd92Kq01Lm55Pz7Xw";
    private static final String DB_PASSWORD = "dbpass-Hq3Lm8Nz2Wv";
    private static final String DB_USERINFO_PASSWORD = "dbinfo-Tr6Yh2Bn9Cx";
    private static final String JWKS_PASSWORD = "jwkspass-Zu4Ke7Rt1";
    private static final String SHORT_SECRET = "short-Pw81";
    private static final String REDIS_PASSWORD = "redispass-Vb7Nq2Xs9";
    private static final List<String> SECRETS = List.of(UDP_SECRET, ENV_UDP_SECRET, DB_PASSWORD,
            DB_USERINFO_PASSWORD, JWKS_PASSWORD, SHORT_SECRET, REDIS_PASSWORD);

    @TempDir
    Path dir;

    private static final String RUNNING = ("""
            http: {port: 0}
            udp: {port: 0, connection-id-secret: %s}
            metrics: {host: 127.0.0.1, port: 0}
            storage: {redis: {uri: "redis://tracker:%s@127.0.0.1:6379/0"}}
            """ + JwtYaml.prehook(JwtYaml.EXAMPLE_JWK_SET_URL, "require-for-scrape: false") + """
            posthooks:
              - name: accounting
                config:
                  jdbc-url: "jdbc:postgresql://127.0.0.1:%d/swarmgate?user=tracker&password=%s"
                  flush-interval: 100ms
            """).formatted(UDP_SECRET, REDIS_PASSWORD, CLOSED_DB_PORT, DB_PASSWORD);

    private static void assertNoSecret(String where, String text) {
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), where + " shows the secret " + secret + ":\n" + text);
        }
    }

    @Test
    void aRunningTrackerShowsNoSecretInItsLogOrMetrics() throws Exception {
        String exposition;
        try (CapturedLog log = CapturedLog.start(); Meters meters = Meters.create()) {
            SwarmgateConfig config = SwarmgateConfig.fromYaml(RUNNING);
            assertNoSecret("the start-up line", io.swarmgate.logging.ConfigSummary.render(config));
            try (Swarmgate tracker = Swarmgate.start(config, meters.registry(), InstantSource.system())) {
                // the database is away: the accounting hook says so (naming the database) on its first flush
                eventually("the accounting hook's warning", () -> log.allText().contains("accounting: cannot write"));
                provokeHttp(tracker.httpPort());
                provokeUdp(tracker.udpPort());
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + tracker.metricsPort() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, metrics.statusCode());
                exposition = metrics.body();
            }
            String text = log.allText();
            assertTrue(text.contains("127.0.0.1:" + CLOSED_DB_PORT), "the warning names the database:\n" + text);
            assertNoSecret("the log", text);
        }
        assertTrue(exposition.contains("swarmgate_accounting_flushes"), exposition);
        assertNoSecret("/metrics", exposition);
    }

    /** A refused token, a bad query, a scrape and a broken request: every error path of the HTTP frontend. */
    private static void provokeHttp(int port) throws Exception {
        String announce = "/announce?info_hash=" + pct(id20("secrets")) + "&peer_id=" + pct(id20("peer"))
                + "&port=6881&uploaded=0&downloaded=0&left=10";
        for (String target : List.of(announce, announce + "&token=not-a-jwt", "/announce?info_hash=%zz",
                "/scrape?info_hash=" + pct(id20("secrets")), "/nowhere")) {
            RawHttp.Response r = RawHttp.get("127.0.0.1", "127.0.0.1", port, target);
            assertNotEquals(500, r.status(), target);
            assertNoSecret("the answer to " + target, r.text());
        }
    }

    /** A connect, an announce with a forged connection id and garbage: the UDP error paths. */
    private static void provokeUdp(int port) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSoTimeout(2000);
            InetSocketAddress tracker = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            ByteBuffer connect = ByteBuffer.allocate(16).putLong(0x41727101980L).putInt(0).putInt(7);
            ByteBuffer forged = ByteBuffer.allocate(98).putLong(0x1234_5678_9abc_def0L).putInt(1).putInt(8);
            for (byte[] packet : List.of(connect.array(), forged.array(), "GET / HTTP/1.1\r\n\r\n".getBytes())) {
                s.send(new DatagramPacket(packet, packet.length, tracker));
            }
            byte[] buf = new byte[2048];
            for (int i = 0; i < 2; i++) { // the connect answer and the error for the forged id; garbage gets none
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                assertNoSecret("a UDP answer", new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void startUpErrorsShowNoSecret() {
        try (CapturedLog log = CapturedLog.start(); Meters meters = Meters.create()) {
            List<String> messages = new ArrayList<>();
            for (String yaml : refusedFiles()) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> Swarmgate.start(
                        SwarmgateConfig.fromYaml(yaml), meters.registry(), InstantSource.system()).close(), yaml);
                messages.add(ConfigCommand.startError(e));
            }
            // the unreachable JWK set server is named, so the operator knows what failed
            assertTrue(messages.stream().anyMatch(m -> m.contains("127.0.0.1:" + CLOSED_JWKS_PORT)), messages::toString);
            assertNoSecret("start-up's messages", String.join("\n", messages));
            assertNoSecret("the log", log.allText());
        }
    }

    /** Files start-up refuses, each with a secret next to (or inside) what it refuses. */
    private static List<String> refusedFiles() {
        String jwt = """
                http: {port: 0}
                udp: {enabled: false}
                metrics: {enabled: false}
                """ + JwtYaml.prehookWith("issuer: https://r.example.com", "audience: swarmgate",
                "jwk-set-url: \"%s\"");
        return List.of(
                "udp: {connection-id-secret: " + SHORT_SECRET + "}",
                jwt.formatted("http://registry:" + JWKS_PASSWORD + "@127.0.0.1:" + CLOSED_JWKS_PORT + "/jwks.json?token=" + JWKS_PASSWORD),
                jwt.formatted("https://registry:" + JWKS_PASSWORD + "@/jwks.json"),
                jwt.formatted("ftp://registry:" + JWKS_PASSWORD + "@127.0.0.1/jwks.json"));
    }

    @Test
    void configCheckShowsNoSecret() throws Exception {
        String userinfo = RUNNING.replace("jdbc:postgresql://127.0.0.1",
                "jdbc:postgresql://tracker:" + DB_USERINFO_PASSWORD + "@127.0.0.1");
        List<String> outputs = new ArrayList<>();
        try (CapturedLog log = CapturedLog.start()) {
            outputs.add(check(Map.of(), RUNNING, false, 0));
            outputs.add(check(Map.of(), userinfo, false, 0));
            outputs.add(check(Map.of("SWARMGATE_UDP__CONNECTION_ID_SECRET", ENV_UDP_SECRET), RUNNING, false, 0));
            for (String refused : refusedFiles()) {
                outputs.add(check(Map.of(), refused, true, 1));
            }
            assertNoSecret("the log", log.allText());
        }
        assertTrue(outputs.getFirst().contains("connection-id-secret=<redacted>"), outputs.getFirst());
        assertTrue(outputs.getFirst().contains("jdbc-url=jdbc:postgresql://127.0.0.1:" + CLOSED_DB_PORT),
                outputs.getFirst());
        assertNoSecret("config check", String.join("\n", outputs));
    }

    private String check(Map<String, String> env, String yaml, boolean fetch, int exit) throws Exception {
        Path file = Files.writeString(dir.resolve("swarmgate.yaml"), yaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = fetch ? new String[] {"check", file.toString(), "--fetch"} : new String[] {"check", file.toString()};
        int status = ConfigCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(exit, status, all);
        return all;
    }
}
