package io.swarmgate.hook.jwt;

import io.swarmgate.bittorrent.InfoHash;

import java.util.Map;
import java.util.Set;

/**
 * What a verified token allows, kept in the {@link TokenCache}.
 *
 * @param key          the key that verified it: the entry is only good while the set still publishes this key
 * @param expiresAtMs  {@code exp} plus the clock skew in epoch milliseconds, or {@link Long#MAX_VALUE} without exp
 * @param infohash     the {@code infohash} claim, or null when absent or not 40 hex digits
 * @param scrapeHashes what this token may scrape: its {@code infohashes} claim plus {@code infohash}
 * @param claims       every claim, handed to later hooks as {@link io.swarmgate.hook.AnnounceContext#verifiedClaims()}
 */
record VerifiedToken(SigningKey key, long expiresAtMs, InfoHash infohash, Set<InfoHash> scrapeHashes,
                     Map<String, Object> claims) {
    VerifiedToken {
        scrapeHashes = Set.copyOf(scrapeHashes);
        claims = copyWithoutNulls(claims);
    }

    /** Map.copyOf refuses null values, which a JSON claim may have ({@code "sub": null}): those are left out. */
    private static Map<String, Object> copyWithoutNulls(Map<String, Object> claims) {
        Map<String, Object> out = new java.util.HashMap<>();
        claims.forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, v);
            }
        });
        return Map.copyOf(out);
    }
}
