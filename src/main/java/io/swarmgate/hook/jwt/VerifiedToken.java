package io.swarmgate.hook.jwt;

import io.swarmgate.bittorrent.InfoHash;

import java.util.Set;

/**
 * What a verified token allows, kept in the {@link TokenCache}.
 *
 * @param key          the key that verified it: the entry is only good while the set still publishes this key
 * @param expiresAtMs  {@code exp} plus the clock skew in epoch milliseconds, or {@link Long#MAX_VALUE} without exp
 * @param infohash     the {@code infohash} claim, or null when absent or not 40 hex digits
 * @param scrapeHashes what this token may scrape: its {@code infohashes} claim plus {@code infohash}
 */
record VerifiedToken(SigningKey key, long expiresAtMs, InfoHash infohash, Set<InfoHash> scrapeHashes) {
    VerifiedToken {
        scrapeHashes = Set.copyOf(scrapeHashes);
    }
}
