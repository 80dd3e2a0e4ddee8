package io.swarmgate.hook.jwt;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens that passed signature and claim checks, by token string, so a client re-announcing with the same token
 * costs a map lookup instead of a signature verification. Bounded by two generations: new entries go into the
 * young map; when it is full it becomes the old map and the previous old map is dropped; a hit in the old map
 * is moved to the young one. Tokens in use survive, forgotten ones age out, and no lock is taken on a hit.
 * Whether an entry may still be used (expiry, its key still published) is decided by the caller.
 */
final class TokenCache {
    private final int generationSize;
    private volatile ConcurrentHashMap<String, VerifiedToken> young;
    private volatile ConcurrentHashMap<String, VerifiedToken> old;

    /** @param maxEntries at most this many tokens are kept; 0 keeps none */
    TokenCache(int maxEntries) {
        this.generationSize = Math.max(0, maxEntries / 2);
        this.young = new ConcurrentHashMap<>();
        this.old = new ConcurrentHashMap<>();
    }

    VerifiedToken get(String token) {
        if (generationSize == 0) {
            return null;
        }
        VerifiedToken v = young.get(token);
        if (v == null) {
            v = old.remove(token);
            if (v != null) {
                put(token, v);
            }
        }
        return v;
    }

    void put(String token, VerifiedToken verified) {
        if (generationSize == 0) {
            return;
        }
        ConcurrentHashMap<String, VerifiedToken> y = young;
        if (y.size() >= generationSize) {
            synchronized (this) {
                if (young == y) {
                    old = y;
                    young = y = new ConcurrentHashMap<>();
                } else {
                    y = young;
                }
            }
        }
        y.put(token, verified);
    }

    void remove(String token) {
        young.remove(token);
        old.remove(token);
    }

    int size() {
        return young.size() + old.size();
    }
}
