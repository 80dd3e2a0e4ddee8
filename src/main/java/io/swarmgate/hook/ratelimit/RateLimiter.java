package io.swarmgate.hook.ratelimit;

import io.swarmgate.bittorrent.IpAddress;

import java.time.InstantSource;

/**
 * Announces per address, in memory fixed at construction however many addresses send: {@link #slots()} entries
 * of 24 bytes (a 2^18-slot limiter holds 6 MiB), never more.
 *
 * <p>Each address has a GCRA cell (the "virtual scheduling" form of a token bucket, ITU-T I.371): one timestamp,
 * the theoretical arrival time {@code tat}. An announce at {@code now} is allowed when {@code now >= tat - tau},
 * with emission interval {@code T = 60 s / per-minute} and tolerance {@code tau = (burst - 1) * T}; it then moves
 * {@code tat} to {@code max(tat, now) + T}. A cell with {@code tat <= now} has recovered completely and holds no
 * information, so it can be handed to another address without letting anyone through early.
 *
 * <p>An address may live in one of two slots (two hash functions). When both are taken by other addresses, the
 * one closer to recovery is replaced. Replacing a cell that has not recovered gives its address a fresh burst;
 * that happens only when more addresses are limited at once than there are slots, and then each address is held
 * to at most {@code burst} announces per eviction: the bound degrades, memory does not grow.
 */
final class RateLimiter {
    private static final long MICROS_PER_MINUTE = 60_000_000L;
    private static final int STRIPES = 64;

    private final InstantSource clock;
    private final long interval;
    private final long tolerance;
    private final int mask;
    private final long[] hi;
    private final long[] lo;
    /** Theoretical arrival time in µs since the clock's epoch; 0 = free. */
    private final long[] tat;
    private final Object[] locks = new Object[STRIPES];

    /** {@code slots} is rounded up to a power of two. */
    RateLimiter(int announcesPerMinute, int burst, int slots, InstantSource clock) {
        if (announcesPerMinute < 1 || burst < 1 || slots < 2) {
            throw new IllegalArgumentException("announcesPerMinute, burst >= 1 and slots >= 2 required");
        }
        int size = Integer.highestOneBit(slots - 1) << 1;
        this.clock = clock;
        this.interval = MICROS_PER_MINUTE / announcesPerMinute;
        this.tolerance = (burst - 1) * interval;
        this.mask = size - 1;
        this.hi = new long[size];
        this.lo = new long[size];
        this.tat = new long[size];
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    public int slots() {
        return tat.length;
    }

    /** Counts one announce from {@code address}; false when it is over the limit. */
    public boolean tryAcquire(IpAddress address) {
        long now = clock.millis() * 1000;
        long h = mix(address.hi() * 0x9E3779B97F4A7C15L ^ address.lo() ^ address.family().ordinal());
        int a = (int) h & mask;
        int b = (int) (h >>> 32) & mask;
        // both slots' stripes, always the lower-numbered stripe first (no deadlock between two callers)
        int sa = a % STRIPES;
        int sb = b % STRIPES;
        Object first = locks[Math.min(sa, sb)];
        Object second = locks[Math.max(sa, sb)];
        synchronized (first) {
            synchronized (second) {
                int slot = find(a, b, address, now);
                long t = Math.max(tat[slot], now);
                if (now < t - tolerance) {
                    return false;
                }
                hi[slot] = address.hi();
                lo[slot] = address.lo() ^ address.family().ordinal();
                tat[slot] = t + interval;
                return true;
            }
        }
    }

    private int find(int a, int b, IpAddress address, long now) {
        long keyLo = address.lo() ^ address.family().ordinal();
        if (tat[a] != 0 && hi[a] == address.hi() && lo[a] == keyLo) {
            return a;
        }
        if (tat[b] != 0 && hi[b] == address.hi() && lo[b] == keyLo) {
            return b;
        }
        // a new address: the slot closer to recovery (a free or recovered one counts as recovered)
        int slot = tat[a] <= tat[b] ? a : b;
        tat[slot] = 0;
        return slot;
    }

    private static long mix(long z) {
        // SplitMix64's finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
