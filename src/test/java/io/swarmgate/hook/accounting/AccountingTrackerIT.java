package io.swarmgate.hook.accounting;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.swarmgate.Swarmgate;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.metrics.Meters;
import io.swarmgate.testing.AccountingYaml;
import io.swarmgate.testing.PostgresExtension;
import io.swarmgate.testing.RawHttp;
import io.swarmgate.testing.JwtYaml;
import io.swarmgate.testing.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole tracker with the accounting posthook, announced to over HTTP: the jwt prehook's verified subject
 * reaches the rows, and {@code /accounting/...} on the metrics listener reads totals back, pending ones included.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AccountingTrackerIT {
    private static final String HASH = "aa00000000000000000000000000000000000001";
    private static final String ISSUER = JwtYaml.ISSUER;
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static String config(String jdbcUrl, boolean jwt) {
        return """
                http: {port: 0, host: 127.0.0.1}
                udp: {enabled: false}
                metrics: {port: 0, host: 127.0.0.1}
                """ + (jwt ? JwtYaml.EXAMPLE_PREHOOK : "") + AccountingYaml.posthook(jdbcUrl, "1h", 1000);
    }

    /** A token the registry (the shipped example key) signed for {@code HASH}, naming {@code subject}. */
    private static String token(String subject) throws Exception {
        RSAKey key = RSAKey.parse(Files.readString(Path.of("keys-example/example-rs256.private.jwk.json")));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).audience("swarmgate").subject(subject)
                        .claim("infohash", HASH).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /**
     * Announces, then waits until the posthook has counted it: posthooks run after the answer is sent, so a
     * client announcing again within microseconds could otherwise be counted before its previous announce
     * (real clients announce minutes apart).
     */
    private static void announce(Swarmgate tracker, String peer, long downloaded, String event, String token)
            throws Exception {
        long before = announces(tracker);
        send(tracker, peer, downloaded, event, token);
        Wire.eventually("the announce accounted", () -> announces(tracker) > before);
    }

    private static long announces(Swarmgate tracker) {
        try {
            RawHttp.Response r = operator(tracker, "/accounting/torrents/" + HASH);
            if (r.status() == 404) {
                return 0;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"announces\":(\\d+)").matcher(r.text());
            assertTrue(m.find(), r.text());
            return Long.parseLong(m.group(1));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void send(Swarmgate tracker, String peer, long downloaded, String event, String token)
            throws Exception {
        String path = "/announce?info_hash=" + pct(java.util.HexFormat.of().parseHex(HASH)) + "&peer_id="
                + pct(id20(peer)) + "&port=6881&uploaded=0&downloaded=" + downloaded + "&left=10&compact=1"
                + (event.isEmpty() ? "" : "&event=" + event) + (token == null ? "" : "&jwt=" + token);
        RawHttp.Response r = RawHttp.get(null, "127.0.0.1", tracker.httpPort(), path);
        assertEquals(200, r.status());
        assertTrue(!r.text().contains("failure reason"), r.text());
    }

    private static RawHttp.Response operator(Swarmgate tracker, String path) throws Exception {
        return RawHttp.get(null, "127.0.0.1", tracker.metricsPort(), path);
    }

    @Test
    void theVerifiedSubjectIsRecordedAndTotalsReadBackIncludingPending() throws Exception {
        String url = PG.freshDatabase();
        String robot = token("robot-7");
        try (Meters meters = Meters.create();
             Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml(config(url, true)), meters.registry(),
                     InstantSource.system())) {
            announce(tracker, "robot-peer", 0, "started", robot);
            announce(tracker, "robot-peer", 300, "", robot);
            announce(tracker, "robot-peer", 1000, "completed", robot);

            // nothing flushed yet (flush-interval 1h): the answer is what memory holds
            RawHttp.Response t = operator(tracker, "/accounting/torrents/" + HASH.toUpperCase());
            assertEquals(200, t.status(), t.text());
            assertEquals("{\"info_hash\":\"" + HASH + "\",\"uploaded\":0,\"downloaded\":1000,\"completed\":1,"
                    + "\"announces\":3}", t.text());
            RawHttp.Response s = operator(tracker, "/accounting/subjects/robot-7");
            assertEquals(200, s.status(), s.text());
            assertEquals("{\"subject\":\"robot-7\",\"torrents\":[{\"info_hash\":\"" + HASH
                    + "\",\"uploaded\":0,\"downloaded\":1000,\"completed\":1}]}", s.text());

            assertEquals(404, operator(tracker, "/accounting/subjects/nobody").status());
            assertEquals(404, operator(tracker, "/accounting/torrents/" + "b".repeat(40)).status());
            RawHttp.Response bad = operator(tracker, "/accounting/torrents/xyz");
            assertEquals(400, bad.status());
            assertTrue(bad.text().contains("40 hex digits"), bad.text());

            String metrics = operator(tracker, "/metrics").text();
            assertTrue(metrics.contains("swarmgate_accounting_pending_rows 2.0"), metrics);
            assertTrue(metrics.contains("swarmgate_accounting_dropped_rows_total 0.0"), metrics);
            assertTrue(metrics.contains("swarmgate_accounting_last_flush_age_seconds"), metrics);
        } // close (SIGTERM's path) flushes

        try (Meters meters = Meters.create();
             Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml(config(url, true)), meters.registry(),
                     InstantSource.system())) {
            RawHttp.Response t = operator(tracker, "/accounting/torrents/" + HASH);
            assertEquals("{\"info_hash\":\"" + HASH + "\",\"uploaded\":0,\"downloaded\":1000,\"completed\":1,"
                    + "\"announces\":3}", t.text(), "from the database after the first tracker stopped");
            announce(tracker, "robot-peer-2", 0, "started", robot);
            announce(tracker, "robot-peer-2", 24, "", robot);
            RawHttp.Response s = operator(tracker, "/accounting/subjects/robot-7");
            assertEquals("{\"subject\":\"robot-7\",\"torrents\":[{\"info_hash\":\"" + HASH
                    + "\",\"uploaded\":0,\"downloaded\":1024,\"completed\":1}]}", s.text(),
                    "stored and pending add up");
        }
    }

    @Test
    void withoutTheJwtPrehookATokenNamesNoOne() throws Exception {
        String url = PG.freshDatabase();
        String mallory = token("mallory"); // even a well-signed token: nothing verified it here
        try (Meters meters = Meters.create();
             Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml(config(url, false)), meters.registry(),
                     InstantSource.system())) {
            announce(tracker, "p", 0, "started", mallory);
            announce(tracker, "p", 77, "", mallory);
            assertEquals(404, operator(tracker, "/accounting/subjects/mallory").status());
            RawHttp.Response t = operator(tracker, "/accounting/torrents/" + HASH);
            assertTrue(t.text().contains("\"downloaded\":77"), t.text());
        }
        assertEquals(0, AccountingFixture.count(url, "SELECT count(*) FROM accounting_subject_torrent_day"));
    }

    @Test
    void theTrackerServesWhileTheDatabaseIsUnreachable() throws Exception {
        String unreachable = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/swarmgate?user=swarmgate";
        try (Meters meters = Meters.create();
             Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml(config(unreachable, false)
                     .replace("flush-interval: 1h", "flush-interval: 200ms")), meters.registry(),
                     InstantSource.system())) {
            send(tracker, "p", 0, "started", null);
            assertEquals(200, operator(tracker, "/health/ready").status(), "readiness does not need the database");
            Wire.eventually("the announce held in memory, the database refused", () -> {
                try {
                    RawHttp.Response t = operator(tracker, "/accounting/torrents/" + HASH);
                    return t.status() == 503 && t.text().contains("1 row(s) pending in memory");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    private static int closedPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
