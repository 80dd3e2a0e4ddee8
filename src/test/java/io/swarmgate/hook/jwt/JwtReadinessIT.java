package io.swarmgate.hook.jwt;

import io.swarmgate.Swarmgate;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.metrics.Meters;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.testing.JwtYaml;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static io.swarmgate.testing.Wire.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /health/ready of a whole tracker follows its JWK set: ready while the registry serves the set, 503 with a
 * reason once refreshes have failed for longer than jwk-set-max-stale, and ready again after the next good
 * refresh. Time for staleness is the injected clock; the refresh itself runs on the real scheduler.
 */
class JwtReadinessIT {

    @Test
    void readinessFollowsTheJwkSet() throws Exception {
        JwksDispatcher registry = new JwksDispatcher(Files.readString(Path.of("keys-example/jwks.json")));
        MutableClock clock = new MutableClock(Instant.now());
        try (MockWebServer server = new MockWebServer(); Meters meters = Meters.create();
             HttpClient http = HttpClient.newHttpClient()) {
            server.setDispatcher(registry);
            server.start();
            SwarmgateConfig config = SwarmgateConfig.fromYaml("""
                    http: {port: 0}
                    udp: {enabled: false}
                    metrics: {host: 127.0.0.1, port: 0}
                    """ + JwtYaml.prehook(server.url("/jwks.json").toString(), "jwk-set-refresh-interval: 200ms",
                    "jwk-set-max-stale: 5s"));
            try (Swarmgate tracker = Swarmgate.start(config, meters.registry(), clock)) {
                URI ready = URI.create("http://127.0.0.1:" + tracker.metricsPort() + "/health/ready");
                assertEquals(200, get(http, ready).statusCode());

                registry.mode = JwksDispatcher.Mode.DOWN;
                clock.advance(Duration.ofMinutes(1));
                eventually("ready turns 503", () -> get(http, ready).statusCode() == 503);
                String body = get(http, ready).body();
                assertTrue(body.contains("\"status\":\"DOWN\"") && body.contains("stale"), body);

                registry.mode = JwksDispatcher.Mode.OK;
                eventually("ready again after a good refresh", () -> get(http, ready).statusCode() == 200);
            }
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
