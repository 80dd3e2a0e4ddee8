package io.swarmgate.hook.ratelimit;

import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.storage.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private static IpAddress v4(int n) {
        return IpAddress.parse(((n >>> 24) & 255) + "." + ((n >>> 16) & 255) + "." + ((n >>> 8) & 255) + "."
                + (n & 255));
    }

    @Test
    void burstThenOneEveryIntervalPerAddress() {
        RateLimiter limiter = new RateLimiter(6, 3, 1024, clock); // one per 10 s, 3 at once
        IpAddress a = v4(0x0a000001);
        IpAddress b = IpAddress.parse("::1");
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire(a), "burst " + i);
        }
        assertFalse(limiter.tryAcquire(a));
        assertTrue(limiter.tryAcquire(b), "another address has its own allowance");
        clock.advance(Duration.ofSeconds(9));
        assertFalse(limiter.tryAcquire(a));
        clock.advance(Duration.ofSeconds(1));
        assertTrue(limiter.tryAcquire(a), "one more after 60 s / 6");
        assertFalse(limiter.tryAcquire(a));
        clock.advance(Duration.ofMinutes(5));
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire(a), "the burst comes back after a quiet spell, no more: " + i);
        }
        assertFalse(limiter.tryAcquire(a));
    }

    @Test
    void refusedAnnouncesDoNotPushTheNextOneFurtherOut() {
        RateLimiter limiter = new RateLimiter(60, 1, 1024, clock);
        IpAddress a = v4(0x0a000002);
        assertTrue(limiter.tryAcquire(a));
        for (int i = 0; i < 100; i++) {
            assertFalse(limiter.tryAcquire(a));
        }
        clock.advance(Duration.ofSeconds(1));
        assertTrue(limiter.tryAcquire(a));
    }

    /**
     * A million distinct sources in one minute: memory is the arrays allocated up front (slots x 24 bytes), the
     * limit still holds for an address that keeps sending among them, and heap use does not grow with them.
     */
    @Test
    void aMillionAddressesStayWithinTheFixedTable() {
        RateLimiter limiter = new RateLimiter(10, 5, RateLimitHook.SLOTS, clock);
        assertEquals(1 << 18, limiter.slots());
        IpAddress heavy = v4(0x0b000001);
        int heavyAllowed = 0;
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < 1_000_000; i++) {
            assertTrue(limiter.tryAcquire(v4(0x14000000 + i)), "a first announce is always allowed");
            if (i % 1000 == 0 && limiter.tryAcquire(heavy)) {
                heavyAllowed++;
            }
            if (i % 20_000 == 0) {
                clock.advance(Duration.ofMillis(1));
            }
        }
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        // 1,000 tries by one address: its burst of 5 plus what evictions by a million others give back
        assertTrue(heavyAllowed <= 5 + 5 * (1_000_000 / RateLimitHook.SLOTS + 1), "heavy got " + heavyAllowed);
        assertTrue(after - before < 16L << 20, "heap grew by " + (after - before) + " bytes");
    }
}
