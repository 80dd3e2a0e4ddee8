package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import io.helidon.config.Config;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigReader;
import io.swarmgate.logging.ConfigSummary;
import io.swarmgate.config.Durations;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code config:} of a {@code jwt} hook. {@code issuer}, {@code audience} and {@code jwk-set-url} have no
 * default: a token check that does not pin who signed the token and for whom would admit tokens minted for
 * some other service by the same issuer.
 *
 * @param issuer                   the {@code iss} every token must carry, compared exactly
 * @param audience                 a value the token's {@code aud} (string or array) must contain
 * @param jwkSetUrl                where the public keys are: {@code https:}, {@code http:} or {@code file:} (a
 *                                 relative {@code file:} path is made absolute against the working directory)
 * @param refreshInterval          how often the JWK set is fetched again
 * @param maxStale                 how long known keys keep working while every refresh fails
 * @param fetchTimeout             connect timeout, and the limit for the whole response of one fetch
 * @param algorithms               the allow-list; never {@code none} or an HMAC algorithm
 * @param clockSkew                tolerance for {@code exp}, {@code nbf} and {@code iat}
 * @param requireExp               refuse tokens without {@code exp}
 * @param requireForScrape         scrapes need a token whose {@code infohashes} cover every requested hash
 * @param tokenCacheSize           verified tokens remembered (0 turns the cache off)
 * @param unknownKidRefetchSpacing the least time between two fetches caused by unknown {@code kid}s
 * @param jwkSetCa                 {@code jwk-set-ca}: the certificates an {@code https:} JWK set's server
 *                                 certificate must chain to, <em>instead of</em> the JDK's default trust store;
 *                                 empty means the default trust store
 */
record JwtConfig(String issuer, String audience, URI jwkSetUrl, Duration refreshInterval, Duration maxStale,
                 Duration fetchTimeout, Set<JWSAlgorithm> algorithms, Duration clockSkew, boolean requireExp,
                 boolean requireForScrape, int tokenCacheSize, Duration unknownKidRefetchSpacing,
                 List<X509Certificate> jwkSetCa) {

    /** The asymmetric JWS algorithms this hook can verify, by their {@code alg} names. */
    static final Map<String, JWSAlgorithm> SUPPORTED = supported();

    static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256", "EdDSA");
    static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);
    static final Duration DEFAULT_MAX_STALE = Duration.ofHours(24);
    static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    static final int DEFAULT_TOKEN_CACHE_SIZE = 10_000;
    /** Made-up kids must not turn the tracker into a load generator against the registry. */
    static final Duration UNKNOWN_KID_REFETCH_SPACING = Duration.ofSeconds(15);

    JwtConfig {
        algorithms = Set.copyOf(algorithms);
        jwkSetCa = List.copyOf(jwkSetCa);
    }

    private static Map<String, JWSAlgorithm> supported() {
        Map<String, JWSAlgorithm> m = new java.util.LinkedHashMap<>();
        for (JWSAlgorithm a : List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
                JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
                JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
                JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519)) {
            m.put(a.getName(), a);
        }
        return Map.copyOf(m);
    }

    /** Reads and validates the hook's {@code config:} node; errors name the full key, e.g. {@code prehooks.0.config.algorithms}. */
    static JwtConfig create(Config node) {
        String path = node.key().toString();
        ConfigReader r = ConfigReader.of(node, path);
        String issuer = required(r, "issuer");
        String audience = required(r, "audience");
        URI url = jwkSetUrl(r, required(r, "jwk-set-url"));
        Duration refresh = r.duration("jwk-set-refresh-interval", DEFAULT_REFRESH);
        Duration maxStale = r.duration("jwk-set-max-stale", DEFAULT_MAX_STALE);
        if (maxStale.compareTo(refresh) < 0) {
            throw new ConfigException(r.key("jwk-set-max-stale"), "must be at least jwk-set-refresh-interval ("
                    + Durations.format(refresh) + "), got " + Durations.format(maxStale));
        }
        Duration timeout = r.duration("jwk-set-timeout", DEFAULT_FETCH_TIMEOUT);
        Set<JWSAlgorithm> algorithms = algorithms(r);
        Duration skew = r.durationOrZero("clock-skew", DEFAULT_CLOCK_SKEW);
        boolean requireExp = r.bool("require-exp", false);
        boolean requireForScrape = r.bool("require-for-scrape", false);
        int cacheSize = r.integer("token-cache-size", DEFAULT_TOKEN_CACHE_SIZE, 0, 10_000_000);
        List<X509Certificate> ca = jwkSetCa(r, url);
        r.finish();
        return new JwtConfig(issuer, audience, url, refresh, maxStale, timeout, algorithms, skew, requireExp,
                requireForScrape, cacheSize, UNKNOWN_KID_REFETCH_SPACING, ca);
    }

    /**
     * {@code jwk-set-ca: FILE}: PEM certificates (a private CA, several CAs, or the registry's self-signed
     * certificate) read once at start-up. Only meaningful for an {@code https:} URL, so anything else is a
     * contradiction refused here rather than a key that silently does nothing.
     */
    private static List<X509Certificate> jwkSetCa(ConfigReader r, URI url) {
        String file = r.string("jwk-set-ca", "").strip();
        if (file.isEmpty()) {
            return List.of();
        }
        String key = r.key("jwk-set-ca");
        if (!"https".equalsIgnoreCase(url.getScheme())) {
            throw new ConfigException(key, "applies only to an https: jwk-set-url, which is "
                    + url.getScheme() + ":");
        }
        Path path = Path.of(file);
        byte[] pem;
        try {
            pem = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigException(key, "cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException | RuntimeException e) {
            throw new ConfigException(key, path + " is not a file of PEM certificates (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) {
            throw new ConfigException(key, path + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    private static String required(ConfigReader r, String name) {
        String v = r.string(name, "");
        if (v.isBlank()) {
            throw new ConfigException(r.key(name), "is required");
        }
        return v.strip();
    }

    private static URI jwkSetUrl(ConfigReader r, String text) {
        String shown = ConfigSummary.redactUrls(text); // its user-info may hold a password
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(r.key("jwk-set-url"), "not a URL: '" + shown + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> {
                if (uri.getHost() == null) {
                    throw new ConfigException(r.key("jwk-set-url"), "has no host: '" + shown + "'");
                }
            }
            case "file" -> {
                String path = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
                if (path == null || path.isEmpty() || uri.getAuthority() != null) {
                    throw new ConfigException(r.key("jwk-set-url"),
                            "a file: URL needs a path, e.g. file:/etc/swarmgate/jwks.json, got '" + shown + "'");
                }
                // file:keys-example/jwks.json is relative to the working directory at start-up
                uri = java.nio.file.Path.of(path).toAbsolutePath().normalize().toUri();
            }
            default -> throw new ConfigException(r.key("jwk-set-url"),
                    "must be an https:, http: or file: URL, got '" + shown + "'");
        }
        return uri;
    }

    private static Set<JWSAlgorithm> algorithms(ConfigReader r) {
        List<String> names = r.strings("algorithms", DEFAULT_ALGORITHMS);
        if (names.isEmpty()) {
            throw new ConfigException(r.key("algorithms"), "must name at least one algorithm, e.g. [RS256, ES256, EdDSA]");
        }
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        for (String raw : names) {
            String name = raw.strip();
            if (name.equalsIgnoreCase("none") || name.toUpperCase(Locale.ROOT).startsWith("HS")) {
                // 'none' admits unsigned tokens; HMAC would need a shared secret and, with a public key as the
                // secret, is the classic key-confusion forgery. Neither is ever accepted.
                throw new ConfigException(r.key("algorithms"), "'" + name
                        + "' is never accepted: only asymmetric signatures can be checked with a public JWK set");
            }
            JWSAlgorithm alg = SUPPORTED.get(name);
            if (alg == null) {
                throw new ConfigException(r.key("algorithms"), "unknown or unsupported algorithm '" + name
                        + "'; supported: " + String.join(", ", new java.util.TreeSet<>(SUPPORTED.keySet())));
            }
            out.add(alg);
        }
        return out;
    }
}
