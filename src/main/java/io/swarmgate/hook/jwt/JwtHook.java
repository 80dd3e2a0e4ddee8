package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.ScrapeContext;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.text.ParseException;
import java.time.InstantSource;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Admits an announce only with a JWT signed by a key of the registry's JWK set, issued by {@code issuer} for
 * {@code audience}, whose {@code infohash} claim is the announced info_hash (the claim chihaya's jwt middleware
 * and Quay use; compared as an info_hash, so hex case does not matter). The token comes from the {@code jwt}
 * query parameter (HTTP, or BEP 41 URL data over UDP) or else an HTTP {@code Authorization: Bearer} header.
 *
 * <p>Verified tokens are cached by token string, never past their {@code exp}, and only while the key that
 * verified them is still published: a key removed from the set takes its tokens with it.
 */
public final class JwtHook implements Hook {
    /** {@code name: jwt}; see {@link JwtConfig} for its keys. Use it as a prehook. */
    public static final HookFactory FACTORY = new JwtHookFactory();

    private static final Logger LOG = System.getLogger(JwtHook.class.getName());
    /** Registries sign tokens of a few hundred bytes; parsing kilobytes of base64 for nothing is refused early. */
    static final int MAX_TOKEN_CHARS = 8192;

    private final JwtConfig config;
    private final KeySetHolder keys;
    private final InstantSource clock;
    private final TokenCache cache;
    private final long skewMs;
    private final MeterRegistry registry;
    private final Counter ok;
    private final Counter cacheHits;
    private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
    private volatile ScheduledFuture<?> refreshTask;

    JwtHook(JwtConfig config, KeySetHolder keys, InstantSource clock, MeterRegistry registry) {
        this.config = config;
        this.keys = keys;
        this.clock = clock;
        this.cache = new TokenCache(config.tokenCacheSize());
        this.skewMs = config.clockSkew().toMillis();
        this.registry = registry;
        this.ok = verifications(registry, "ok");
        for (Rejection r : Rejection.values()) {
            rejected.put(r, verifications(registry, r.label()));
        }
        this.cacheHits = Counter.builder("swarmgate.jwt.cache.hits")
                .description("Announces and scrapes admitted from the verified-token cache, without a signature check")
                .register(registry);
    }

    private static Counter verifications(MeterRegistry registry, String result) {
        return Counter.builder("swarmgate.jwt.verifications").tag("result", result)
                .description("JWT admission decisions by result").register(registry);
    }

    /** Refreshes the key set every {@code jwk-set-refresh-interval} on the tracker's scheduler. */
    void schedule(ScheduledExecutorService scheduler) {
        long every = config.refreshInterval().toMillis();
        refreshTask = scheduler.scheduleWithFixedDelay(() -> {
            try {
                keys.refresh();
            } catch (RuntimeException e) {
                // never let an exception cancel the schedule
                LOG.log(Level.WARNING, "JWK set refresh failed unexpectedly: " + e, e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    KeySetHolder keys() {
        return keys;
    }

    TokenCache cache() {
        return cache;
    }

    @Override
    public void announce(AnnounceContext ctx) throws ClientError {
        VerifiedToken token = verify(ctx.request().meta());
        if (token.infohash() == null || !token.infohash().equals(ctx.request().infoHash())) {
            throw reject(Rejection.WRONG_INFOHASH);
        }
        ctx.verifiedClaims(token.claims());
        ok.increment();
    }

    @Override
    public void scrape(ScrapeContext ctx) throws ClientError {
        if (!config.requireForScrape()) {
            return;
        }
        VerifiedToken token = verify(ctx.request().meta());
        for (InfoHash h : ctx.request().infoHashes()) {
            if (!token.scrapeHashes().contains(h)) {
                throw reject(Rejection.SCRAPE_NOT_COVERED);
            }
        }
        ok.increment();
    }

    @Override
    public String notReadyReason() {
        return keys.notReadyReason();
    }

    @Override
    public void close() {
        ScheduledFuture<?> task = refreshTask;
        if (task != null) {
            task.cancel(false);
        }
        keys.close();
        registry.remove(ok);
        registry.remove(cacheHits);
        for (Meter m : rejected.values()) {
            registry.remove(m);
        }
    }

    /** The {@code jwt} parameter wins over a bearer token when a request carries both (an empty one does not). */
    static String token(RequestMeta meta) {
        String t = meta.params().get("jwt");
        return t != null && !t.isEmpty() ? t : meta.bearerToken();
    }

    private ClientError reject(Rejection r) {
        rejected.get(r).increment();
        return r.error();
    }

    private VerifiedToken verify(RequestMeta meta) throws ClientError {
        String token = token(meta);
        if (token.isEmpty()) {
            throw reject(Rejection.MISSING);
        }
        long now = clock.millis();
        if (keys.stale(now)) {
            // the registry may have withdrawn a key long ago without us hearing of it
            throw reject(Rejection.KEYS_STALE);
        }
        VerifiedToken cached = cache.get(token);
        if (cached != null) {
            KeySet current = keys.current();
            if (current.get(cached.key().kid()) == cached.key()) {
                if (now > cached.expiresAtMs()) {
                    cache.remove(token);
                    throw reject(Rejection.EXPIRED);
                }
                cacheHits.increment();
                return cached;
            }
            // its key was withdrawn or replaced: verify from scratch against what is published now
            cache.remove(token);
        }
        VerifiedToken verified = verifyFully(token, now);
        cache.put(token, verified);
        return verified;
    }

    private VerifiedToken verifyFully(String token, long now) throws ClientError {
        if (token.length() > MAX_TOKEN_CHARS || !canonicalCompactJws(token)) {
            throw reject(Rejection.MALFORMED);
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw reject(Rejection.MALFORMED);
        }
        if (jwt instanceof PlainJWT) {
            throw reject(Rejection.ALGORITHM_NOT_ALLOWED); // alg "none": unsigned
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw reject(Rejection.MALFORMED); // an encrypted JWT: not what registries send
        }
        JWSHeader header = signed.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        if (!config.algorithms().contains(alg)) {
            // HS256 with the public key as secret (key confusion) ends here, before any key is touched
            throw reject(Rejection.ALGORITHM_NOT_ALLOWED);
        }
        String kid = header.getKeyID();
        if (kid == null || kid.isEmpty()) {
            throw reject(Rejection.UNKNOWN_KEY);
        }
        SigningKey key = keys.current().get(kid);
        if (key == null && keys.refreshForUnknownKid()) {
            key = keys.current().get(kid);
        }
        if (key == null) {
            throw reject(Rejection.UNKNOWN_KEY);
        }
        if (!key.algorithms().contains(alg)) {
            throw reject(Rejection.ALGORITHM_NOT_ALLOWED); // e.g. ES256 claimed for an RSA key
        }
        try {
            if (!signed.verify(key.verifier())) {
                throw reject(Rejection.BAD_SIGNATURE);
            }
        } catch (JOSEException | RuntimeException e) {
            // unsupported critical header, or a signature of the wrong shape for the key
            throw reject(Rejection.BAD_SIGNATURE);
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw reject(Rejection.MALFORMED);
        }
        if (!config.issuer().equals(claims.getIssuer())) {
            throw reject(Rejection.ISSUER_MISMATCH);
        }
        if (!claims.getAudience().contains(config.audience())) {
            throw reject(Rejection.AUDIENCE_MISMATCH);
        }
        Date exp = claims.getExpirationTime();
        if (exp == null && config.requireExp()) {
            throw reject(Rejection.NO_EXPIRY);
        }
        long expiresAt = exp == null ? Long.MAX_VALUE : saturatedAdd(exp.getTime(), skewMs);
        if (now > expiresAt) {
            throw reject(Rejection.EXPIRED);
        }
        Date nbf = claims.getNotBeforeTime();
        Date iat = claims.getIssueTime();
        if ((nbf != null && saturatedAdd(now, skewMs) < nbf.getTime())
                || (iat != null && saturatedAdd(now, skewMs) < iat.getTime())) {
            throw reject(Rejection.NOT_YET_VALID);
        }
        InfoHash infohash = infoHash(claims.getClaim("infohash"));
        Set<InfoHash> scrape = new HashSet<>();
        if (infohash != null) {
            scrape.add(infohash);
        }
        if (claims.getClaim("infohashes") instanceof List<?> list) {
            for (Object o : list) {
                InfoHash h = infoHash(o);
                if (h != null) {
                    scrape.add(h);
                }
            }
        }
        return new VerifiedToken(key, expiresAt, infohash, scrape, claims.getClaims());
    }

    /**
     * Whether {@code token} is three base64url segments (RFC 7515 compact JWS) in their one canonical spelling:
     * only the base64url alphabet, no padding, and zero bits where the last character of a segment has bits to
     * spare. The parser is lenient, ignoring characters outside the alphabet and the spare bits, so without this
     * a registry's token with a DEL or a space inserted, or its last character bumped, would verify too (found
     * by {@code TokenExtractionFuzzTest}): one signed token would have many spellings, each its own cache entry
     * and its own string in logs and accounting. Refused as malformed; no token a registry signs is affected.
     */
    static boolean canonicalCompactJws(String token) {
        int segments = 0;
        int segmentStart = 0;
        int n = token.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? token.charAt(i) : '.'; // the end closes the last segment like a dot
            if (c == '.') {
                if (++segments > 3 || !canonicalEnd(token, segmentStart, i)) {
                    return false;
                }
                segmentStart = i + 1;
            } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_')) {
                return false;
            }
        }
        return segments == 3;
    }

    /** A segment's length leaves 0, 4 or 2 spare bits (length mod 4 = 0, 2, 3); 1 is never valid base64. */
    private static boolean canonicalEnd(String s, int from, int to) {
        int rest = (to - from) % 4;
        if (rest == 0) {
            return true;
        }
        if (rest == 1) {
            return false;
        }
        char c = s.charAt(to - 1);
        int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9'
                ? c - '0' + 52 : c == '-' ? 62 : 63;
        return (v & (rest == 2 ? 0x0f : 0x03)) == 0;
    }

    /** A claim that is 40 hex digits (either case), or null: such a token matches no info_hash. */
    private static InfoHash infoHash(Object claim) {
        if (claim instanceof String s) {
            try {
                return InfoHash.fromHex(s);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
