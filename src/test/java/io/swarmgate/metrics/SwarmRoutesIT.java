package io.swarmgate.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /swarms/<hex>} on a real metrics listener, fed by real HTTP announces from several source
 * addresses: the JSON an operator reads during a rollout, 404 and 400 for mistakes, and the exposure rule.
 */
class SwarmRoutesIT {
    private static final String HASH = "0123456789abcdef0123456789abcdef01234567";
    private static final String UNKNOWN = "fedcba9876543210fedcba9876543210fedcba98";

    private static Swarmgate start(String metrics, MutableClock clock) {
        return Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {port: 0, host: 127.0.0.1}
                udp: {enabled: false}
                metrics: %s
                prehooks:
                  - name: subnet-preference
                    config: {ipv4-prefixes: [26, 16]}
                """.formatted(metrics)), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock);
    }

    private static void announce(Swarmgate tracker, String source, int left, String event) throws IOException {
        byte[] hash = java.util.HexFormat.of().parseHex(HASH);
        String id = ("-SG0100-" + source + "xxxxxxxxxxxx").substring(0, 20);
        RawHttp.Response r = RawHttp.get(source, "127.0.0.1", tracker.httpPort(), "/announce?info_hash=" + pct(hash)
                + "&peer_id=" + id + "&port=6881&uploaded=0&downloaded=0&left=" + left + "&event=" + event);
        assertEquals(200, r.status());
        assertTrue(r.text().contains("8:interval"), r.text());
    }

    private static RawHttp.Response swarm(Swarmgate tracker, String hex) throws IOException {
        return RawHttp.get(null, "127.0.0.1", tracker.metricsPort(), "/swarms/" + hex);
    }

    @Test
    void anOperatorSeesRacksCountsAndTheCompletionTimeline() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        try (Swarmgate tracker = start("{host: 127.0.0.1, port: 0}", clock)) {
            RawHttp.Response unknown = swarm(tracker, HASH);
            assertEquals(404, unknown.status());
            assertEquals("{\"error\":\"unknown swarm " + HASH + "\"}", unknown.text());

            announce(tracker, "127.30.1.1", 0, "started");     // the seeder, rack 127.30.1.0/26
            clock.advance(Duration.ofSeconds(2));
            announce(tracker, "127.30.1.2", 100, "started");
            announce(tracker, "127.30.1.70", 100, "started");  // another /26 of the same /24
            announce(tracker, "127.30.2.9", 100, "started");
            clock.advance(Duration.ofSeconds(10));
            announce(tracker, "127.30.1.2", 0, "completed");
            announce(tracker, "127.30.2.9", 0, "completed");

            RawHttp.Response r = swarm(tracker, HASH);
            assertEquals(200, r.status());
            assertEquals("{\"info_hash\":\"" + HASH + "\",\"seeders\":3,\"leechers\":1,\"downloaded\":2,"
                    + "\"rack_prefix\":{\"ipv4\":26,\"ipv6\":64},\"racks\":["
                    + "{\"network\":\"127.30.1.0/26\",\"seeders\":2,\"leechers\":0},"
                    + "{\"network\":\"127.30.1.64/26\",\"seeders\":0,\"leechers\":1},"
                    + "{\"network\":\"127.30.2.0/26\",\"seeders\":1,\"leechers\":0}],"
                    + "\"racks_listed\":3,\"racks_truncated\":false,\"racks_max\":100,"
                    + "\"timeline\":{\"first_announce\":\"2026-03-01T10:00:00Z\",\"leechers_seen\":3,"
                    + "\"leechers_completed\":2,\"completed_50\":\"2026-03-01T10:00:12Z\",\"completed_90\":null,"
                    + "\"completed_100\":null}}", r.text());

            RawHttp.Response bad = swarm(tracker, "0123");
            assertEquals(400, bad.status());
            assertTrue(bad.text().startsWith("{\"error\":\"not an info_hash (40 hex digits)"), bad.text());
        }
    }

    @Test
    void aListenerOnEveryAddressRefusesSwarmDetailsUnlessExposeSwarms() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        try (Swarmgate tracker = start("{host: 0.0.0.0, port: 0}", clock)) {
            announce(tracker, "127.30.1.1", 0, "started");
            RawHttp.Response r = swarm(tracker, HASH);
            assertEquals(403, r.status());
            assertEquals("{\"error\":\"swarm details are served on a loopback-only metrics listener; this one listens"
                    + " on 0.0.0.0 (metrics.host): set metrics.expose-swarms: true to serve them here\"}", r.text());
            assertEquals(403, swarm(tracker, UNKNOWN).status(), "not even whether a swarm exists");
            assertEquals(200, RawHttp.get(null, "127.0.0.1", tracker.metricsPort(), "/metrics").status(),
                    "the rest of the listener is unchanged");
        }
        try (Swarmgate tracker = start("{host: 0.0.0.0, port: 0, expose-swarms: true}", clock)) {
            announce(tracker, "127.30.1.1", 0, "started");
            RawHttp.Response r = swarm(tracker, HASH);
            assertEquals(200, r.status());
            assertTrue(r.text().contains("\"racks\":[{\"network\":\"127.30.1.0/26\",\"seeders\":1,\"leechers\":0}]"),
                    r.text());
            assertEquals(404, swarm(tracker, UNKNOWN).status());
        }
    }
}
