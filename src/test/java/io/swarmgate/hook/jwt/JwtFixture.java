package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.config.HookSpec;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookServices;
import io.swarmgate.hook.ScrapeContext;
import io.swarmgate.testing.InspectedScheduler;
import io.swarmgate.testing.JwtYaml;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Keys, tokens, requests and services for jwt hook tests: a registry in miniature. */
final class JwtFixture implements AutoCloseable {
    static final String ISSUER = JwtYaml.ISSUER;
    static final String AUDIENCE = JwtYaml.AUDIENCE;
    static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
    static final InfoHash OTHER_HASH = InfoHash.fromHex("89abcdef0123456789abcdef0123456789abcdef");

    /** Generated once: RSA key generation is the slow part of these tests. */
    static final RSAKey RSA = rsa("rsa-1");
    static final RSAKey RSA_2 = rsa("rsa-2");
    static final ECKey EC = ec("ec-1");
    static final OctetKeyPair ED = ed("ed-1");

    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** Refresh schedules are inspected and run by tests, not waited for. */
    final InspectedScheduler scheduler = new InspectedScheduler();
    private Hook hook;

    HookServices services() {
        return new HookServices(clock, () -> new SplittableRandom(1), meters, scheduler);
    }

    /** Builds the hook through the factory from YAML, as the tracker does; {@code extra} are more config lines. */
    JwtHook start(String jwkSetUrl, String... extra) {
        return build(JwtYaml.prehook(jwkSetUrl, extra));
    }

    /** Builds the hook from exactly these lines of its {@code config:}. */
    JwtHook startWith(String... lines) {
        return build(JwtYaml.prehookWith(lines));
    }

    private JwtHook build(String yaml) {
        HookSpec spec = HookSpec.list(parse(yaml).get("prehooks"), "prehooks").get(0);
        hook = JwtHook.FACTORY.create(spec.config(), services());
        return (JwtHook) hook;
    }

    /** A tracker config with one jwt prehook whose {@code config:} has these lines. */
    static Config config(String... lines) {
        return parse(JwtYaml.prehookWith(lines));
    }

    private static Config parse(String yaml) {
        return Config.builder()
                .addSource(ConfigSources.create(yaml, MediaTypes.APPLICATION_YAML))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
    }

    static String jwks(JWK... keys) {
        return new JWKSet(Arrays.stream(keys).map(JWK::toPublicJWK).toList()).toString();
    }

    static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static ECKey ec(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static OctetKeyPair ed(String kid) {
        try {
            return new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The claims a registry puts in a short-lived token for {@link #HASH}. */
    JWTClaimsSet.Builder claims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .claim("infohash", HASH.hex())
                .issueTime(java.util.Date.from(now))
                .expirationTime(java.util.Date.from(now.plus(Duration.ofHours(1))));
    }

    String token(JWK key) {
        return token(key, c -> {
        });
    }

    String token(JWK key, Consumer<JWTClaimsSet.Builder> edit) {
        JWTClaimsSet.Builder b = claims();
        edit.accept(b);
        return sign(key, defaultAlg(key), key.getKeyID(), b.build());
    }

    static JWSAlgorithm defaultAlg(JWK key) {
        return key instanceof RSAKey ? JWSAlgorithm.RS256 : key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.EdDSA;
    }

    static String sign(JWK key, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r)
                    : key instanceof ECKey e ? new ECDSASigner(e)
                    : new Ed25519Signer((OctetKeyPair) key);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static AnnounceRequest announce(InfoHash hash, RequestMeta meta) {
        return new AnnounceRequest(hash, new Peer(PeerId.of(new byte[20]), IpAddress.parse("10.1.2.3"), 6881),
                0, 0, 1000, Event.STARTED, 50, true, false, meta);
    }

    static AnnounceRequest announce(String token) {
        return announce(HASH, new RequestMeta(Frontend.HTTP, token == null ? Map.of() : Map.of("jwt", token), ""));
    }

    static void admit(Hook hook, String token) throws ClientError {
        hook.announce(new AnnounceContext(announce(token), 1800, 900));
    }

    static void admit(Hook hook, AnnounceRequest request) throws ClientError {
        hook.announce(new AnnounceContext(request, 1800, 900));
    }

    static void scrape(Hook hook, String token, InfoHash... hashes) throws ClientError {
        RequestMeta meta = new RequestMeta(Frontend.HTTP, token == null ? Map.of() : Map.of("jwt", token), "");
        hook.scrape(new ScrapeContext(new ScrapeRequest(List.of(hashes), io.swarmgate.bittorrent.AddressFamily.IPV4, meta)));
    }

    /** Asserts the announce is refused as unauthorized with exactly {@code reason}. */
    static void refused(String reason, Hook hook, String token) {
        ClientError e = assertThrows(ClientError.class, () -> admit(hook, token));
        assertEquals(reason, e.reason());
        assertEquals(ClientError.Kind.UNAUTHORIZED, e.kind());
    }

    double count(String name, String result) {
        Counter c = result == null ? meters.find(name).counter() : meters.find(name).tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    double gauge(String name) {
        Gauge g = meters.find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Override
    public void close() {
        if (hook != null) {
            hook.close();
        }
        scheduler.shutdownNow();
    }

    /** A clock the test moves by hand. */
    static final class MutableClock implements InstantSource {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant instant) {
            now = instant;
        }
    }
}
