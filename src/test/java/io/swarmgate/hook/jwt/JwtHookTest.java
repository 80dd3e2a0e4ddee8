package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.RequestMeta;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.swarmgate.hook.jwt.JwtFixture.EC;
import static io.swarmgate.hook.jwt.JwtFixture.ED;
import static io.swarmgate.hook.jwt.JwtFixture.HASH;
import static io.swarmgate.hook.jwt.JwtFixture.OTHER_HASH;
import static io.swarmgate.hook.jwt.JwtFixture.RSA;
import static io.swarmgate.hook.jwt.JwtFixture.RSA_2;
import static io.swarmgate.hook.jwt.JwtFixture.admit;
import static io.swarmgate.hook.jwt.JwtFixture.announce;
import static io.swarmgate.hook.jwt.JwtFixture.refused;
import static io.swarmgate.hook.jwt.JwtFixture.scrape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a client holding (or not holding) a registry token sees when it announces or scrapes. */
class JwtHookTest {
    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final JwksDispatcher jwks = new JwksDispatcher(JwtFixture.jwks(RSA, EC, ED));
    private final JwtFixture f = new JwtFixture();

    @BeforeEach
    void serve() {
        server.setDispatcher(jwks);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private JwtHook hook(String... extra) {
        return f.start(server.url("/.well-known/jwks.json").toString(), extra);
    }

    @Test
    void tokensSignedWithEachAllowedAlgorithmAreAdmitted() throws ClientError {
        JwtHook hook = hook();
        admit(hook, f.token(RSA));
        admit(hook, f.token(EC));
        admit(hook, f.token(ED));
        assertEquals(3, f.count("swarmgate.jwt.verifications", "ok"));
        assertEquals("", hook.notReadyReason());
    }

    @Test
    void fullySpecifiedEd25519AlgorithmIsAcceptedWhenAllowed() throws ClientError {
        JwtHook hook = hook("algorithms: [Ed25519]");
        admit(hook, JwtFixture.sign(ED, JWSAlgorithm.Ed25519, "ed-1", f.claims().build()));
        refused("jwt algorithm not allowed", hook, f.token(ED)); // EdDSA is not in this allow-list
    }

    @Test
    void bearerTokenIsUsedWhenThereIsNoQueryParameterAndTheQueryParameterWins() throws ClientError {
        JwtHook hook = hook();
        String good = f.token(RSA);
        String bad = f.token(RSA, c -> c.claim("infohash", OTHER_HASH.hex()));
        admit(hook, announce(HASH, new RequestMeta(Frontend.HTTP, Map.of(), good)));
        admit(hook, announce(HASH, new RequestMeta(Frontend.HTTP, Map.of("jwt", good), bad)));
        ClientError e = assertThrows(ClientError.class,
                () -> admit(hook, announce(HASH, new RequestMeta(Frontend.HTTP, Map.of("jwt", bad), good))));
        assertEquals("jwt not valid for this info_hash", e.reason());
    }

    @Test
    void udpAnnounceCarriesTheTokenInUrlData() throws ClientError {
        JwtHook hook = hook();
        admit(hook, announce(HASH, new RequestMeta(Frontend.UDP, Map.of("jwt", f.token(EC)), "")));
        ClientError e = assertThrows(ClientError.class,
                () -> admit(hook, announce(HASH, new RequestMeta(Frontend.UDP, Map.of(), ""))));
        assertEquals("missing jwt", e.reason());
        e = assertThrows(ClientError.class, () -> admit(hook, announce(HASH, new RequestMeta(Frontend.UDP,
                Map.of("jwt", f.token(EC, c -> c.claim("infohash", OTHER_HASH.hex()))), ""))));
        assertEquals("jwt not valid for this info_hash", e.reason());
    }

    @Test
    void announceWithoutTokenIsRefused() {
        JwtHook hook = hook();
        refused("missing jwt", hook, null);
        refused("missing jwt", hook, "");
        assertEquals(2, f.count("swarmgate.jwt.verifications", "missing"));
    }

    @Test
    void garbageIsAMalformedToken() {
        JwtHook hook = hook();
        refused("malformed jwt", hook, "not-a-jwt");
        refused("malformed jwt", hook, "a.b.c");
        refused("malformed jwt", hook, "eyJhbGciOiJSUzI1NiJ9." + "A".repeat(JwtHook.MAX_TOKEN_CHARS) + ".sig");
        String token = f.token(RSA);
        refused("malformed jwt", hook, token.substring(0, token.indexOf('.') + 5));
        assertEquals(4, f.count("swarmgate.jwt.verifications", "malformed"));
    }

    @Test
    void anyMangledTokenIsAClientErrorNeverAnInternalOne() throws Exception {
        JwtHook hook = hook();
        String good = f.token(EC);
        var random = new java.util.SplittableRandom(41);
        String alphabet = "ABCxyz019-_.=+/ {}\"\\:,";
        List<String> headers = List.of("{\"alg\":\"ES256\",\"kid\":123}", "{\"alg\":123}", "[]", "null",
                "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"crit\":[\"exp\"],\"exp\":1}",
                "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"b64\":false,\"crit\":[\"b64\"]}",
                "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"enc\":\"A128GCM\"}",
                "{\"alg\":\"RSA-OAEP\",\"enc\":\"A128GCM\"}", "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}");
        var b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String[] parts = good.split("\\.");
        int admitted = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder t = new StringBuilder(good);
            switch (i % 4) {
                case 0 -> t.setCharAt(random.nextInt(t.length()), alphabet.charAt(random.nextInt(alphabet.length())));
                case 1 -> t.setLength(random.nextInt(t.length()));
                case 2 -> t.insert(random.nextInt(t.length()), alphabet.charAt(random.nextInt(alphabet.length())));
                default -> {
                    String h = headers.get(random.nextInt(headers.size()));
                    t.setLength(0);
                    t.append(b64.encodeToString(h.getBytes())).append('.').append(parts[1]).append('.')
                            .append(random.nextBoolean() ? parts[2] : "");
                }
            }
            try {
                admit(hook, t.toString());
                if (!t.toString().equals(good)) {
                    admitted++;
                }
            } catch (ClientError e) {
                assertEquals(ClientError.Kind.UNAUTHORIZED, e.kind());
            }
        }
        assertEquals(0, admitted, "a changed token is never admitted, even one that decodes to the same bytes");
    }

    @Test
    void onlyTheCanonicalSpellingOfASignedTokenIsAdmitted() throws ClientError {
        // regression (TokenExtractionFuzzTest): the parser skips characters outside base64url and ignores the
        // spare bits of a segment's last character, so these used to verify as the registry's own token
        JwtHook hook = hook();
        String good = f.token(ED);
        admit(hook, good);
        int dot = good.lastIndexOf('.');
        for (String spelling : List.of(good.substring(0, 10) + '\u007f' + good.substring(10),
                good.substring(0, dot + 3) + ' ' + good.substring(dot + 3), good + "=", good + "==", good + "\n",
                good.replace('.', '\u2024'), good + ".")) {
            refused("malformed jwt", hook, spelling);
        }
        // an Ed25519 signature is 86 characters: its last one carries 2 bits of the signature and 4 spare ones
        char last = good.charAt(good.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int v = alphabet.indexOf(last);
        for (int spare = 1; spare < 16; spare++) {
            String bumped = good.substring(0, good.length() - 1) + alphabet.charAt(v ^ spare);
            refused("malformed jwt", hook, bumped);
        }
        admit(hook, good);
    }

    @Test
    void unsignedTokenIsRefused() {
        JwtHook hook = hook();
        String none = new PlainJWT(f.claims().build()).serialize();
        refused("jwt algorithm not allowed", hook, none);
    }

    @Test
    void hmacSignedWithThePublicKeyIsRefused() throws Exception {
        // The classic key-confusion forgery: the public key is public, so an HS256 "signature" made with its
        // bytes as the secret verifies in libraries that let the token pick the algorithm.
        JwtHook hook = hook();
        for (byte[] secret : List.of(RSA.toPublicJWK().toJSONString().getBytes(),
                RSA.toRSAPublicKey().getEncoded())) {
            SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                    f.claims().build());
            forged.sign(new MACSigner(secret));
            refused("jwt algorithm not allowed", hook, forged.serialize());
        }
        assertEquals(2, f.count("swarmgate.jwt.verifications", "alg_not_allowed"));
    }

    @Test
    void algorithmMustFitTheKeyItNames() {
        JwtHook hook = hook();
        // ES256 is allowed, but rsa-1 is an RSA key: signed with the EC key under the RSA key's kid
        refused("jwt algorithm not allowed", hook, JwtFixture.sign(EC, JWSAlgorithm.ES256, "rsa-1", f.claims().build()));
        // PS256 fits an RSA key but is not in the allow-list
        refused("jwt algorithm not allowed", hook, JwtFixture.sign(RSA, JWSAlgorithm.PS256, "rsa-1", f.claims().build()));
    }

    @Test
    void unknownOrMissingKidIsRefused() {
        JwtHook hook = hook();
        refused("unknown signing key", hook, JwtFixture.sign(RSA_2, JWSAlgorithm.RS256, "rsa-2", f.claims().build()));
        refused("unknown signing key", hook, JwtFixture.sign(RSA, JWSAlgorithm.RS256, null, f.claims().build()));
        assertEquals(2, f.count("swarmgate.jwt.verifications", "unknown_kid"));
    }

    @Test
    void signatureByAnotherKeyOrOverChangedClaimsIsRefused() {
        JwtHook hook = hook();
        // a key the attacker owns, presented under the registry's kid
        refused("jwt signature invalid", hook, JwtFixture.sign(RSA_2, JWSAlgorithm.RS256, "rsa-1", f.claims().build()));
        // a genuine token for one blob, with the payload swapped for another blob's
        String genuine = f.token(RSA);
        String other = f.token(RSA, c -> c.claim("infohash", OTHER_HASH.hex()));
        String[] g = genuine.split("\\.");
        String[] o = other.split("\\.");
        refused("jwt signature invalid", hook, g[0] + "." + o[1] + "." + g[2]);
        assertEquals(2, f.count("swarmgate.jwt.verifications", "bad_signature"));
    }

    @Test
    void issuerAndAudienceMustMatch() throws ClientError {
        JwtHook hook = hook();
        refused("jwt issuer mismatch", hook, f.token(RSA, c -> c.issuer("https://evil.example.com")));
        refused("jwt issuer mismatch", hook, f.token(RSA, c -> c.issuer(null)));
        refused("jwt audience mismatch", hook, f.token(RSA, c -> c.audience("another-service")));
        refused("jwt audience mismatch", hook, f.token(RSA, c -> c.audience((String) null)));
        admit(hook, f.token(RSA, c -> c.audience(List.of("cdn", "swarmgate"))));
    }

    /**
     * The time claims, each with a 30 s clock skew: a claim off by 20 s is within it, one off by 60 s (31 s for an
     * expiry) is refused with that claim's reason and counted under its label. exp lies in the past, nbf and iat
     * in the future.
     */
    static Stream<Arguments> timeClaims() {
        return Stream.of(
                Arguments.of("exp", (TimeClaim) JWTClaimsSet.Builder::expirationTime, -20, -31, "jwt expired",
                        "expired"),
                Arguments.of("nbf", (TimeClaim) JWTClaimsSet.Builder::notBeforeTime, 20, 60, "jwt not yet valid",
                        "not_yet_valid"),
                Arguments.of("iat", (TimeClaim) JWTClaimsSet.Builder::issueTime, 20, 60, "jwt not yet valid",
                        "not_yet_valid"));
    }

    /** Sets one time claim of a token. */
    interface TimeClaim {
        JWTClaimsSet.Builder set(JWTClaimsSet.Builder claims, Date time);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("timeClaims")
    void timeClaimsAreCheckedWithClockSkew(String claim, TimeClaim set, int withinSkew, int beyondSkew,
                                           String reason, String label) throws ClientError {
        JwtHook hook = hook("clock-skew: 30s");
        Instant now = f.clock.instant();
        admit(hook, f.token(EC, c -> set.set(c, Date.from(now.plusSeconds(withinSkew)))));
        refused(reason, hook, f.token(EC, c -> set.set(c, Date.from(now.plusSeconds(beyondSkew)))));
        assertEquals(1, f.count("swarmgate.jwt.verifications", label));
    }

    @Test
    void aTokenNotYetValidIsAdmittedOnceItsTimeHasCome() throws ClientError {
        JwtHook hook = hook("clock-skew: 30s");
        Instant now = f.clock.instant();
        String early = f.token(EC, c -> c.notBeforeTime(Date.from(now.plusSeconds(60))));
        refused("jwt not yet valid", hook, early);
        f.clock.advance(Duration.ofSeconds(60));
        admit(hook, early);
    }

    @Test
    void tokenForAnotherBlobIsRefused() throws ClientError {
        JwtHook hook = hook();
        refused("jwt not valid for this info_hash", hook, f.token(RSA, c -> c.claim("infohash", OTHER_HASH.hex())));
        refused("jwt not valid for this info_hash", hook, f.token(RSA, c -> c.claim("infohash", null)));
        refused("jwt not valid for this info_hash", hook, f.token(RSA, c -> c.claim("infohash", 12345)));
        // compared as an info_hash, so a registry that writes uppercase hex is understood
        admit(hook, f.token(RSA, c -> c.claim("infohash", HASH.hex().toUpperCase())));
        assertEquals(3, f.count("swarmgate.jwt.verifications", "wrong_infohash"));
    }

    @Test
    void quayShapedTokenWithoutExpiryIsAdmittedByDefault() throws ClientError {
        // Quay: {iss: <service name>, aud: <announce URL>, infohash: <hex>}, RS256 with a kid header, no exp,
        // embedded in a long-lived .torrent as announce = <url>?jwt=<token>.
        String announceUrl = "https://tracker.example.com/announce";
        JwtHook hook = f.startWith("issuer: quay", "audience: " + announceUrl,
                "jwk-set-url: " + server.url("/jwks.json"));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer("quay")
                .audience(announceUrl)
                .claim("infohash", HASH.hex())
                .build();
        String token = JwtFixture.sign(RSA, JWSAlgorithm.RS256, "rsa-1", claims);
        admit(hook, token);
        // a year later the .torrent still works: no exp, and keys unchanged
        f.clock.advance(Duration.ofDays(365));
        hook.keys().refresh();
        admit(hook, token);
        assertEquals(2, f.count("swarmgate.jwt.verifications", "ok"));
        ClientError e = assertThrows(ClientError.class, () -> admit(hook, announce(OTHER_HASH,
                new RequestMeta(Frontend.HTTP, Map.of("jwt", token), ""))));
        assertEquals("jwt not valid for this info_hash", e.reason(), "still only for its own blob");
    }

    @Test
    void requireExpRefusesTokensWithoutExpiry() throws ClientError {
        JwtHook hook = hook("require-exp: true");
        refused("jwt has no exp", hook, f.token(RSA, c -> c.expirationTime(null)));
        admit(hook, f.token(RSA));
        assertEquals(1, f.count("swarmgate.jwt.verifications", "no_exp"));
    }

    @Test
    void scrapeNeedsNoTokenByDefault() throws ClientError {
        JwtHook hook = hook();
        scrape(hook, null, HASH, OTHER_HASH);
        refused("missing jwt", hook, null); // while an announce without one is refused
    }

    @Test
    void requireForScrapeWantsATokenCoveringEveryHash() throws ClientError {
        JwtHook hook = hook("require-for-scrape: true");
        InfoHash third = InfoHash.fromHex("ffffffffffffffffffffffffffffffffffffffff");
        String both = f.token(RSA, c -> c.claim("infohash", null).claim("infohashes", List.of(HASH.hex(), OTHER_HASH.hex())));
        scrape(hook, both, HASH, OTHER_HASH);
        scrape(hook, both, OTHER_HASH);
        // an announce token also lets its holder scrape its own blob
        scrape(hook, f.token(RSA), HASH);

        ClientError e = assertThrows(ClientError.class, () -> scrape(hook, both, HASH, third));
        assertEquals("jwt not valid for every scraped info_hash", e.reason());
        e = assertThrows(ClientError.class, () -> scrape(hook, null, HASH));
        assertEquals("missing jwt", e.reason());
        e = assertThrows(ClientError.class, () -> scrape(hook, f.token(RSA, c -> c.audience("x")), HASH));
        assertEquals("jwt audience mismatch", e.reason());
    }

    @Test
    void reannouncingWithTheSameTokenIsACacheHit() throws ClientError {
        JwtHook hook = hook();
        String token = f.token(ED);
        admit(hook, token);
        assertEquals(0, f.count("swarmgate.jwt.cache.hits", null));
        admit(hook, token);
        admit(hook, token);
        assertEquals(2, f.count("swarmgate.jwt.cache.hits", null));
        assertEquals(3, f.count("swarmgate.jwt.verifications", "ok"));
        // the cached token still only admits its own blob
        assertThrows(ClientError.class, () -> admit(hook, announce(OTHER_HASH,
                new RequestMeta(Frontend.HTTP, Map.of("jwt", token), ""))));
        assertEquals(3, f.count("swarmgate.jwt.cache.hits", null));
    }

    @Test
    void cachedTokenStopsWorkingAtItsExpiry() throws ClientError {
        JwtHook hook = hook("clock-skew: 0s");
        String token = f.token(RSA, c -> c.expirationTime(Date.from(f.clock.instant().plusSeconds(60))));
        admit(hook, token);
        f.clock.advance(Duration.ofSeconds(59));
        admit(hook, token);
        assertEquals(1, f.count("swarmgate.jwt.cache.hits", null));
        f.clock.advance(Duration.ofSeconds(2));
        refused("jwt expired", hook, token);
        refused("jwt expired", hook, token);
    }

    @Test
    void tokenCacheCanBeTurnedOff() throws ClientError {
        JwtHook hook = hook("token-cache-size: 0");
        String token = f.token(RSA);
        admit(hook, token);
        admit(hook, token);
        assertEquals(0, f.count("swarmgate.jwt.cache.hits", null));
        assertEquals(2, f.count("swarmgate.jwt.verifications", "ok"));
    }

    @Test
    void closingRemovesTheHooksMeters() {
        JwtHook hook = hook();
        hook.close();
        assertEquals(null, f.meters.find("swarmgate.jwt.verifications").counter());
        assertEquals(null, f.meters.find("swarmgate.jwt.jwks.keys").gauge());
    }
}
