package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.config.StorageConfig;
import io.swarmgate.storage.AnnounceResult;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.StoreTotals;

import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A {@link PeerStore} in this process's heap, sized for millions of peers.
 * <p>Swarms are spread over a power-of-two number of shards chosen by info_hash bits, each with its own
 * {@link ReentrantLock} (not {@code synchronized}, which would pin the virtual threads HTTP requests run on).
 * Each swarm keeps its peers per address family and per seeder/leecher in a {@link PeerList}: packed
 * {@code long[]} entries sorted by address and port, with no object per peer, so a subnet is an index range
 * and locality tiers cost a few binary searches. Last-seen times are whole seconds from an injected clock;
 * {@link #collectGarbage()} drops peers older than the peer lifetime and swarms left empty (their download
 * counters with them).
 */
public final class MemoryPeerStore implements PeerStore {
    static final int DEFAULT_SHARDS = 256;

    private final Shard[] shards;
    private final int shardMask;
    private final long lifetimeSeconds;
    private final InstantSource clock;
    private final long epochMillis;
    private final Supplier<? extends RandomGenerator> random;
    private static final AnnounceResult EMPTY = new AnnounceResult(0, 0, 0);

    /**
     * @param peerLifetime how long a peer stays without announcing (whole seconds count)
     * @param clock        drives last-seen times and expiry
     * @param random       a generator for the calling thread, e.g. {@code ThreadLocalRandom::current}
     */
    public MemoryPeerStore(Duration peerLifetime, InstantSource clock, Supplier<? extends RandomGenerator> random) {
        this(peerLifetime, clock, random, DEFAULT_SHARDS);
    }

    MemoryPeerStore(Duration peerLifetime, InstantSource clock, Supplier<? extends RandomGenerator> random,
                    int shardCount) {
        if (peerLifetime.toSeconds() <= 0) {
            throw new IllegalArgumentException("peer lifetime must be at least one second, got " + peerLifetime);
        }
        if (shardCount <= 0 || Integer.bitCount(shardCount) != 1) {
            throw new IllegalArgumentException("shard count must be a power of two, got " + shardCount);
        }
        this.lifetimeSeconds = peerLifetime.toSeconds();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.epochMillis = clock.millis();
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++) {
            shards[i] = new Shard();
        }
        this.shardMask = shardCount - 1;
    }

    /** The store as {@code storage:} configures it, with thread-local randomness. */
    public static MemoryPeerStore create(StorageConfig config, InstantSource clock) {
        return new MemoryPeerStore(config.peerLifetime(), clock, ThreadLocalRandom::current);
    }

    private Shard shard(InfoHash infoHash) {
        // info_hashes are SHA-1 output: any bits are uniform; the top ones stay independent of HashMap's buckets
        return shards[(int) (infoHash.a() >>> 40) & shardMask];
    }

    /** Seconds since this store was made; an int lasts 68 years. */
    private int now() {
        return (int) Math.floorDiv(clock.millis() - epochMillis, 1000L);
    }

    @Override
    public AnnounceResult announce(InfoHash infoHash, Peer peer, Event event, boolean seeder, int numWant,
                                   PeerPreference preference, PeerSink sink) {
        int now = now();
        IpAddress ip = peer.ip();
        boolean ipv6 = !ip.isIpv4();
        Shard shard = shard(infoHash);
        // one lock for the whole step: the change, the selection and the counts are what the next request sees
        shard.lock.lock();
        try {
            Swarm swarm;
            boolean isSeeder = seeder;
            if (event == Event.STOPPED) {
                swarm = shard.swarms.get(infoHash);
                if (swarm == null) {
                    return EMPTY;
                }
                // an emptied swarm stays until the next GC, so a stop-then-start keeps its download count
                shard.remove(swarm, peer, true);
                shard.remove(swarm, peer, false);
                return new AnnounceResult(swarm.seeders(), swarm.leechers(), 0);
            }
            swarm = shard.swarms.computeIfAbsent(infoHash, k -> new Swarm());
            if (event == Event.COMPLETED) {
                swarm.downloads++;
                isSeeder = true;
            }
            shard.put(swarm, peer, isSeeder, now);
            int[] byTier = preference.isNone() || numWant <= 0 ? null : new int[preference.prefixes().size() + 1];
            int written = numWant <= 0 ? 0
                    // the sink runs under the shard lock: PeerSink asks sinks to be quick and to stay out of the store
                    : PeerSelection.select(swarm.list(ipv6, true, false), swarm.list(ipv6, false, false), ip,
                    peer.port(), isSeeder, numWant, preference, random.get(), sink, byTier);
            return new AnnounceResult(swarm.seeders(), swarm.leechers(), written, byTier);
        } finally {
            shard.lock.unlock();
        }
    }

    @Override
    public SwarmStats stats(InfoHash infoHash) {
        Shard shard = shard(infoHash);
        shard.lock.lock();
        try {
            Swarm swarm = shard.swarms.get(infoHash);
            return swarm == null ? SwarmStats.EMPTY : new SwarmStats(swarm.seeders(), swarm.leechers(), swarm.downloads);
        } finally {
            shard.lock.unlock();
        }
    }

    @Override
    public int collectGarbage() {
        long cutoffLong = now() - lifetimeSeconds;
        int cutoff = (int) Math.max(Integer.MIN_VALUE, cutoffLong);
        int removed = 0;
        for (Shard shard : shards) {
            // one shard at a time: announces to other shards go on meanwhile
            shard.lock.lock();
            try {
                removed += shard.collectGarbage(cutoff);
            } finally {
                shard.lock.unlock();
            }
        }
        return removed;
    }

    @Override
    public StoreTotals totals() {
        long swarms = 0;
        long s4 = 0;
        long l4 = 0;
        long s6 = 0;
        long l6 = 0;
        for (Shard shard : shards) {
            shard.lock.lock();
            try {
                swarms += shard.swarms.size();
                s4 += shard.seeders4;
                l4 += shard.leechers4;
                s6 += shard.seeders6;
                l6 += shard.leechers6;
            } finally {
                shard.lock.unlock();
            }
        }
        return new StoreTotals(swarms, s4, l4, s6, l6);
    }

    /**
     * Approximate heap bytes held for swarms and peers (compressed oops): entry arrays by capacity, swarm and
     * list objects, and per swarm a map node, a table slot and the info_hash key.
     */
    long estimatedBytes() {
        long bytes = 0;
        for (Shard shard : shards) {
            shard.lock.lock();
            try {
                bytes += 64; // shard, lock and map objects
                for (Swarm swarm : shard.swarms.values()) {
                    // HashMap.Node 32, InfoHash 32, about 8 bytes of table per entry at load factor 0.75
                    bytes += 72 + swarm.estimatedBytes();
                }
            } finally {
                shard.lock.unlock();
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        // nothing to release: the heap goes with the process
    }

    /** A lock, the swarms it guards and running counts, so totals never scan swarms. */
    private static final class Shard {
        final ReentrantLock lock = new ReentrantLock();
        final Map<InfoHash, Swarm> swarms = new HashMap<>();
        long seeders4;
        long leechers4;
        long seeders6;
        long leechers6;

        void put(Swarm swarm, Peer peer, boolean seeder, int now) {
            IpAddress ip = peer.ip();
            boolean ipv6 = !ip.isIpv4();
            long hi = ip.hi();
            long lo = ip.lo();
            int port = peer.port();
            PeerList target = swarm.list(ipv6, seeder, true);
            int at = target.lowerBound(hi, lo, port);
            if (target.matches(at, hi, lo, port)) {
                target.update(at, peer.id(), now);
                return;
            }
            // a peer is one address and port: moving between seeders and leechers, never in both
            remove(swarm, peer, !seeder);
            target.insert(at, hi, lo, port, peer.id(), now);
            count(ipv6, seeder, 1);
        }

        void remove(Swarm swarm, Peer peer, boolean seeder) {
            IpAddress ip = peer.ip();
            boolean ipv6 = !ip.isIpv4();
            PeerList list = swarm.list(ipv6, seeder, false);
            if (list == null) {
                return;
            }
            int at = list.indexOf(ip.hi(), ip.lo(), peer.port());
            if (at >= 0) {
                list.remove(at);
                count(ipv6, seeder, -1);
            }
        }

        int collectGarbage(int cutoff) {
            int removed = 0;
            for (Iterator<Swarm> it = swarms.values().iterator(); it.hasNext(); ) {
                Swarm swarm = it.next();
                for (int i = 0; i < 4; i++) {
                    boolean ipv6 = i >= 2;
                    boolean seeder = (i & 1) == 0;
                    PeerList list = swarm.list(ipv6, seeder, false);
                    if (list != null) {
                        int n = list.expire(cutoff);
                        count(ipv6, seeder, -n);
                        removed += n;
                    }
                }
                if (swarm.isEmpty()) {
                    it.remove();
                }
            }
            return removed;
        }

        private void count(boolean ipv6, boolean seeder, int delta) {
            if (ipv6) {
                if (seeder) {
                    seeders6 += delta;
                } else {
                    leechers6 += delta;
                }
            } else if (seeder) {
                seeders4 += delta;
            } else {
                leechers4 += delta;
            }
        }
    }
}
