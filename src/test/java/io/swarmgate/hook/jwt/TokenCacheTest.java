package io.swarmgate.hook.jwt;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenCacheTest {
    private static final VerifiedToken V = new VerifiedToken(null, Long.MAX_VALUE, JwtFixture.HASH, Set.of(), java.util.Map.of());

    @Test
    void staysWithinItsBoundWhileTokensInUseSurvive() {
        TokenCache cache = new TokenCache(100);
        cache.put("in-use", V);
        for (int i = 0; i < 10_000; i++) {
            cache.put("t" + i, V);
            if (i % 20 == 0) {
                assertSame(V, cache.get("in-use"), "a token announced with regularly stays cached");
            }
            assertTrue(cache.size() <= 101, "size " + cache.size());
        }
        assertNull(cache.get("t0"), "a token nobody uses ages out");
        assertNotNull(cache.get("t9999"));
    }

    @Test
    void sizeZeroCachesNothing() {
        TokenCache cache = new TokenCache(0);
        cache.put("t", V);
        assertNull(cache.get("t"));
    }
}
