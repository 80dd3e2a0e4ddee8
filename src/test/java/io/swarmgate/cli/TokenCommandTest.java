package io.swarmgate.cli;

import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenCommandTest {
    static final String HASH = "0123456789abcdef0123456789abcdef01234567";
    static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");

    @TempDir
    Path dir;
    Path key;

    @BeforeEach
    void generateKey() {
        CliRun run = CliRun.of(KeysCommand::run, "generate", "--alg", "EdDSA", "--kid", "demo", "--out", dir.toString());
        assertEquals(0, run.exit(), run.err());
        key = dir.resolve("demo.private.jwk.json");
    }

    private static CliRun token(String... args) {
        return CliRun.of((String[] a, PrintStream out, PrintStream err) ->
                TokenCommand.run(a, out, err, InstantSource.fixed(NOW)), args);
    }

    private static SignedJWT parse(CliRun run) throws Exception {
        assertEquals(0, run.exit(), run.err());
        assertEquals(1, run.out().lines().count(), "one token, one line");
        return SignedJWT.parse(run.out().strip());
    }

    @Test
    void mintsATokenWithTheClaimsTheTrackerChecks() throws Exception {
        SignedJWT jwt = parse(token("--key", key.toString(), "--issuer", "https://registry.example.com",
                "--audience", "swarmgate", "--infohash", HASH.toUpperCase(), "--ttl", "15m"));
        assertEquals("demo", jwt.getHeader().getKeyID());
        assertEquals("EdDSA", jwt.getHeader().getAlgorithm().getName());
        var c = jwt.getJWTClaimsSet();
        assertEquals("https://registry.example.com", c.getIssuer());
        assertEquals(List.of("swarmgate"), c.getAudience());
        assertEquals(HASH, c.getStringClaim("infohash"), "lowercase hex, as chihaya and Quay write it");
        assertEquals(NOW, c.getIssueTime().toInstant());
        assertEquals(NOW.plusSeconds(900), c.getExpirationTime().toInstant());
        assertNull(c.getClaim("infohashes"));
    }

    @Test
    void ttlZeroOrNoExpMakesAQuayStyleToken() throws Exception {
        for (String[] extra : List.of(new String[] {"--ttl", "0"}, new String[] {"--no-exp"})) {
            String[] args = {"--key", key.toString(), "--issuer", "quay", "--audience", "https://t.example/announce",
                    "--infohash", HASH, extra[0], extra.length > 1 ? extra[1] : "--no-exp"};
            assertNull(parse(token(args)).getJWTClaimsSet().getExpirationTime());
        }
    }

    @Test
    void scrapeHashesBecomeTheInfohashesClaim() throws Exception {
        String other = "89abcdef0123456789abcdef0123456789abcdef";
        SignedJWT jwt = parse(token("--key", key.toString(), "--issuer", "i", "--audience", "a",
                "--scrape-infohash", HASH, "--scrape-infohash", other));
        assertEquals(List.of(HASH, other), jwt.getJWTClaimsSet().getStringListClaim("infohashes"));
        assertNull(jwt.getJWTClaimsSet().getClaim("infohash"));
    }

    @Test
    void everyKeyTypeTheKeysCommandMakesCanSign() throws Exception {
        for (String alg : List.of("RS256", "ES256")) {
            assertEquals(0, CliRun.of(KeysCommand::run, "generate", "--alg", alg, "--kid", alg, "--out", dir.toString()).exit());
            SignedJWT jwt = parse(token("--key", dir.resolve(alg + ".private.jwk.json").toString(), "--issuer", "i",
                    "--audience", "a", "--infohash", HASH));
            assertEquals(alg, jwt.getHeader().getAlgorithm().getName());
        }
    }

    @Test
    void mistakesAreUsageErrorsWithoutStackTraces() throws Exception {
        String k = key.toString();
        Path publicSet = dir.resolve("jwks.json");
        Path publicKey = dir.resolve("public.jwk.json");
        Files.writeString(publicKey, com.nimbusds.jose.jwk.JWKSet.parse(Files.readString(publicSet)).getKeys().get(0).toJSONString());
        for (String[] args : List.of(
                new String[] {},
                new String[] {"--key", k, "--issuer", "i", "--infohash", HASH},
                new String[] {"--key", k, "--issuer", "i", "--audience", "a"},
                new String[] {"--key", k, "--issuer", "i", "--audience", "a", "--infohash", "abc"},
                new String[] {"--key", k, "--issuer", "i", "--audience", "a", "--infohash", HASH, "--ttl", "soon"},
                new String[] {"--key", k, "--issuer", "i", "--audience", "a", "--infohash", HASH, "--ttl", "1h", "--no-exp"},
                new String[] {"--key", k, "--issuer", "i", "--audience", "a", "--infohash", HASH, "--alg", "RS256"},
                new String[] {"--key", dir.resolve("missing.json").toString(), "--issuer", "i", "--audience", "a", "--infohash", HASH},
                new String[] {"--key", publicSet.toString(), "--issuer", "i", "--audience", "a", "--infohash", HASH},
                new String[] {"--key", publicKey.toString(), "--issuer", "i", "--audience", "a", "--infohash", HASH})) {
            CliRun run = token(args);
            assertEquals(2, run.exit(), String.join(" ", args) + " -> " + run.err());
            assertTrue(run.err().startsWith("swarmgate token: "), run.err());
            assertFalse(run.showsStackTrace(), run.err());
            assertEquals("", run.out());
        }
    }
}
