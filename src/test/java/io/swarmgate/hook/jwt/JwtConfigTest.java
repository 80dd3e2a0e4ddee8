package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import io.swarmgate.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code jwt} hook's config block: the keys of the issue, their defaults, and start-up errors naming the key. */
class JwtConfigTest {
    private static final String[] REQUIRED = {
            "issuer: https://registry.example.com",
            "audience: swarmgate",
            "jwk-set-url: https://registry.example.com/.well-known/jwks.json"};

    private static JwtConfig read(String... extra) {
        String[] lines = new String[REQUIRED.length + extra.length];
        System.arraycopy(REQUIRED, 0, lines, 0, REQUIRED.length);
        System.arraycopy(extra, 0, lines, REQUIRED.length, extra.length);
        return readOnly(lines);
    }

    private static JwtConfig readOnly(String... lines) {
        return JwtConfig.create(JwtFixture.config(lines).get("prehooks.0.config"));
    }

    private static ConfigException error(String... extra) {
        return assertThrows(ConfigException.class, () -> read(extra));
    }

    @Test
    void defaults() {
        JwtConfig c = read();
        assertEquals("https://registry.example.com", c.issuer());
        assertEquals("swarmgate", c.audience());
        assertEquals(URI.create("https://registry.example.com/.well-known/jwks.json"), c.jwkSetUrl());
        assertEquals(Duration.ofMinutes(5), c.refreshInterval());
        assertEquals(Duration.ofHours(24), c.maxStale());
        assertEquals(Duration.ofSeconds(10), c.fetchTimeout());
        assertEquals(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA), c.algorithms());
        assertEquals(Duration.ofSeconds(30), c.clockSkew());
        assertFalse(c.requireExp());
        assertFalse(c.requireForScrape());
        assertEquals(10_000, c.tokenCacheSize());
        assertEquals(java.util.List.of(), c.jwkSetCa(), "no jwk-set-ca: the JDK's default trust store");
    }

    @Test
    void theIssuesExampleBlockReads() {
        JwtConfig c = read(
                "jwk-set-refresh-interval: 5m",
                "algorithms: [RS256, ES256, EdDSA]",
                "clock-skew: 30s",
                "require-exp: true",
                "require-for-scrape: true",
                "jwk-set-max-stale: 6h",
                "jwk-set-timeout: 3s",
                "token-cache-size: 500");
        assertTrue(c.requireExp());
        assertTrue(c.requireForScrape());
        assertEquals(Duration.ofHours(6), c.maxStale());
        assertEquals(Duration.ofSeconds(3), c.fetchTimeout());
        assertEquals(500, c.tokenCacheSize());
    }

    @Test
    void hmacAndNoneAreStartUpErrors() {
        for (String alg : new String[] {"HS256", "hs512", "none", "NONE"}) {
            ConfigException e = error("algorithms: [RS256, " + alg + "]");
            assertEquals("prehooks.0.config.algorithms", e.key());
            assertTrue(e.getMessage().contains("never accepted"), e.getMessage());
        }
    }

    @Test
    void unknownAlgorithmsAndEmptyListsAreStartUpErrors() {
        ConfigException e = error("algorithms: [RS257]");
        assertEquals("prehooks.0.config.algorithms", e.key());
        assertTrue(e.getMessage().contains("supported: "), e.getMessage());
        assertEquals("prehooks.0.config.algorithms", error("algorithms: []").key());
    }

    @Test
    void issuerAudienceAndKeySetUrlAreRequired() {
        assertEquals("prehooks.0.config.issuer",
                assertThrows(ConfigException.class, () -> readOnly(REQUIRED[1], REQUIRED[2])).key());
        assertEquals("prehooks.0.config.audience",
                assertThrows(ConfigException.class, () -> readOnly(REQUIRED[0], REQUIRED[2])).key());
        assertEquals("prehooks.0.config.jwk-set-url",
                assertThrows(ConfigException.class, () -> readOnly(REQUIRED[0], REQUIRED[1])).key());
    }

    @Test
    void keySetUrlMustBeHttpOrFile() {
        assertEquals("file", readOnly(REQUIRED[0], REQUIRED[1], "jwk-set-url: file:/etc/swarmgate/jwks.json")
                .jwkSetUrl().getScheme());
        assertEquals(java.nio.file.Path.of("keys-example/jwks.json").toAbsolutePath().toUri(),
                readOnly(REQUIRED[0], REQUIRED[1], "jwk-set-url: file:keys-example/jwks.json").jwkSetUrl());
        for (String bad : new String[] {"ftp://example.com/jwks.json", "jwks.json", "https:///nohost",
                "file://otherhost/jwks.json", "'file:'"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> readOnly(REQUIRED[0], REQUIRED[1], "jwk-set-url: " + bad));
            assertEquals("prehooks.0.config.jwk-set-url", e.key(), bad);
        }
    }

    @Test
    void typosAreRefusedNotIgnored() {
        ConfigException e = error("jwk-set-refresh-intervall: 1m");
        assertEquals("prehooks.0.config.jwk-set-refresh-intervall", e.key());
        assertTrue(e.getMessage().contains("jwk-set-refresh-interval"), "lists the known keys: " + e.getMessage());
    }

    @Test
    void maxStaleMustCoverAtLeastOneRefresh() {
        ConfigException e = error("jwk-set-refresh-interval: 1h", "jwk-set-max-stale: 30m");
        assertEquals("prehooks.0.config.jwk-set-max-stale", e.key());
    }

    @Test
    void clockSkewMayBeZeroButNotNegative() {
        assertEquals(Duration.ZERO, read("clock-skew: 0s").clockSkew());
        assertEquals("prehooks.0.config.clock-skew", error("clock-skew: -5s").key());
        assertEquals("prehooks.0.config.require-exp", error("require-exp: sometimes").key());
    }
}
