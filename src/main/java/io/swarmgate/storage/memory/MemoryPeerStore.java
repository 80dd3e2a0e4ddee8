package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.AddressFamily;
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
import io.swarmgate.storage.SwarmDetail;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
        // a whole second, so store seconds are wall-clock seconds (the swarm timeline reports them as instants)
        this.epochMillis = Math.floorDiv(clock.millis(), 1000L) * 1000L;
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
        // info_hashes are SHA-1 output: any bits are uniform; the shard's table mixes all of them for its slot
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
            boolean isSeeder = seeder;
            if (event == Event.STOPPED) {
                Swarm swarm = shard.get(infoHash);
                if (swarm == null) {
                    return EMPTY;
                }
                // an emptied swarm stays until the next GC, so a stop-then-start keeps its download count
                shard.remove(swarm, peer, true);
                shard.remove(swarm, peer, false);
                shard.ungroup(swarm, peer);
                return new AnnounceResult(swarm.seeders(), swarm.leechers(), 0);
            }
            Swarm swarm = shard.getOrCreate(infoHash, now);
            if (event == Event.COMPLETED) {
                swarm.completed();
                isSeeder = true;
            }
            shard.put(swarm, peer, isSeeder, now);
            PeerList[] seederGroups = null;
            PeerList[] leecherGroups = null;
            if (preference.hasGroups()) {
                Groups g = shard.groups.computeIfAbsent(swarm, k -> new Groups());
                g.put(ip, peer.port(), peer.id(), isSeeder, preference.groups(), now, shard.view(ipv6, isSeeder));
                seederGroups = isSeeder ? null : g.lists(preference.groups(), ipv6, true);
                leecherGroups = g.lists(preference.groups(), ipv6, false);
            } else {
                shard.ungroup(swarm, peer); // placed before (the topology changed since): no longer
            }
            int[] byTier = preference.isNone() || numWant <= 0 ? null : new int[preference.tierCount() + 1];
            int written = numWant <= 0 ? 0
                    // the sink runs under the shard lock: PeerSink asks sinks to be quick and to stay out of the store
                    : PeerSelection.select(swarm.bindNonEmpty(ipv6, true, shard.view(ipv6, true)),
                    swarm.bindNonEmpty(ipv6, false, shard.view(ipv6, false)), ip, peer.port(), isSeeder, numWant,
                    preference, random.get(), sink, byTier, seederGroups, leecherGroups);
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
            Swarm swarm = shard.get(infoHash);
            return swarm == null ? SwarmStats.EMPTY
                    : new SwarmStats(swarm.seeders(), swarm.leechers(), swarm.downloads());
        } finally {
            shard.lock.unlock();
        }
    }

    @Override
    public Optional<SwarmDetail> detail(InfoHash infoHash, int ipv4Prefix, int ipv6Prefix, int maxGroups) {
        Shard shard = shard(infoHash);
        shard.lock.lock();
        try {
            Swarm swarm = shard.get(infoHash);
            if (swarm == null) {
                return Optional.empty();
            }
            List<SwarmDetail.Group> groups = new ArrayList<>();
            boolean truncated = shard.groups(swarm, false, ipv4Prefix, groups, maxGroups)
                    || shard.groups(swarm, true, ipv6Prefix, groups, maxGroups);
            int[] t = swarm.timeline();
            SwarmDetail.Timeline timeline = new SwarmDetail.Timeline(instant(t[0]), t[1], t[2], mark(t[3]),
                    mark(t[4]), mark(t[5]));
            return Optional.of(new SwarmDetail(swarm.seeders(), swarm.leechers(), swarm.downloads(), groups,
                    truncated, timeline));
        } finally {
            shard.lock.unlock();
        }
    }

    private Instant instant(int storeSeconds) {
        return Instant.ofEpochMilli(epochMillis + storeSeconds * 1000L);
    }

    private Optional<Instant> mark(int storeSeconds) {
        return storeSeconds == Swarm.UNSET ? Optional.empty() : Optional.of(instant(storeSeconds));
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
                swarms += shard.count;
                s4 += shard.seeders4Count;
                l4 += shard.leechers4Count;
                s6 += shard.seeders6Count;
                l6 += shard.leechers6Count;
            } finally {
                shard.lock.unlock();
            }
        }
        return new StoreTotals(swarms, s4, l4, s6, l6);
    }

    /**
     * Approximate heap bytes held for swarms and peers (compressed oops): entry arrays by capacity, swarm
     * objects and the shards' tables.
     */
    long estimatedBytes() {
        long bytes = 0;
        for (Shard shard : shards) {
            shard.lock.lock();
            try {
                bytes += 200 + 16 + 4L * shard.table.length; // shard, lock, views; the table
                for (Swarm swarm : shard.table) {
                    if (swarm != null) {
                        bytes += swarm.estimatedBytes();
                    }
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

    /**
     * A lock, the swarms it guards and running counts, so totals never scan swarms. The swarms are an
     * open-addressing table (linear probing, at most 3/4 full) keyed by the info_hash each swarm holds: a slot
     * per swarm instead of a HashMap node and an InfoHash key object. Four {@link PeerList} views, bound to one
     * swarm's entries at a time under the lock, stand in for list objects per swarm.
     */
    private static final class Shard {
        private static final int MIN_TABLE = 16;
        final ReentrantLock lock = new ReentrantLock();
        /**
         * Group sub-indexes of the swarms that have peers with groups (a topology map): kept here rather than in a
         * field of every swarm, which would cost all of a million swarms 8 bytes for what few use.
         */
        final Map<Swarm, Groups> groups = new IdentityHashMap<>();
        Swarm[] table = new Swarm[MIN_TABLE];
        int count;
        private final PeerList seeders4 = new PeerList(AddressFamily.IPV4);
        private final PeerList leechers4 = new PeerList(AddressFamily.IPV4);
        private final PeerList seeders6 = new PeerList(AddressFamily.IPV6);
        private final PeerList leechers6 = new PeerList(AddressFamily.IPV6);
        long seeders4Count;
        long leechers4Count;
        long seeders6Count;
        long leechers6Count;

        PeerList view(boolean ipv6, boolean seeder) {
            return ipv6 ? (seeder ? seeders6 : leechers6) : (seeder ? seeders4 : leechers4);
        }

        Swarm get(InfoHash h) {
            Swarm[] t = table;
            int mask = t.length - 1;
            for (int i = Swarm.hash(h.a(), h.b(), h.c()) & mask; ; i = (i + 1) & mask) {
                Swarm s = t[i];
                if (s == null || s.is(h)) {
                    return s;
                }
            }
        }

        Swarm getOrCreate(InfoHash h, int now) {
            Swarm[] t = table;
            int mask = t.length - 1;
            int i = Swarm.hash(h.a(), h.b(), h.c()) & mask;
            for (Swarm s; (s = t[i]) != null; i = (i + 1) & mask) {
                if (s.is(h)) {
                    return s;
                }
            }
            Swarm created = new Swarm(h, now);
            t[i] = created;
            if (++count > t.length - (t.length >> 2)) {
                resize(t.length << 1);
            }
            return created;
        }

        private void resize(int capacity) {
            Swarm[] old = table;
            Swarm[] t = new Swarm[capacity];
            int mask = capacity - 1;
            for (Swarm s : old) {
                if (s != null) {
                    int i = s.hash() & mask;
                    while (t[i] != null) {
                        i = (i + 1) & mask;
                    }
                    t[i] = s;
                }
            }
            table = t;
        }

        /** Empties slot {@code i}, shifting later members of its probe run back so lookups still find them. */
        private void removeAt(int i) {
            Swarm[] t = table;
            int mask = t.length - 1;
            int hole = i;
            for (int j = (i + 1) & mask; t[j] != null; j = (j + 1) & mask) {
                int home = t[j].hash() & mask;
                // t[j] may fill the hole unless its home lies cyclically in (hole, j]
                if (hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)) {
                    t[hole] = t[j];
                    hole = j;
                }
            }
            t[hole] = null;
            count--;
        }

        void put(Swarm swarm, Peer peer, boolean seeder, int now) {
            IpAddress ip = peer.ip();
            boolean ipv6 = !ip.isIpv4();
            long hi = ip.hi();
            long lo = ip.lo();
            int port = peer.port();
            PeerList target = swarm.bind(ipv6, seeder, view(ipv6, seeder));
            int at = target.lowerBound(hi, lo, port);
            if (target.matches(at, hi, lo, port)) {
                target.update(at, peer.id(), now); // in place: nothing to store back
                return;
            }
            // a peer is one address and port: moving between seeders and leechers, never in both
            boolean moved = remove(swarm, peer, !seeder);
            target.insert(at, hi, lo, port, peer.id(), now);
            swarm.added(ipv6, seeder, moved, target, now);
            count(ipv6, seeder, 1);
        }

        /** Takes the peer out of its swarm's groups, if it is in any. */
        void ungroup(Swarm swarm, Peer peer) {
            if (groups.isEmpty()) {
                return;
            }
            Groups g = groups.get(swarm);
            if (g != null) {
                boolean ipv6 = !peer.ip().isIpv4();
                g.remove(peer.ip(), peer.port(), view(ipv6, true));
                if (g.isEmpty()) {
                    groups.remove(swarm);
                }
            }
        }

        /**
         * Lists the racks ({@code /prefix} networks) of one family's peers in address order, after what
         * {@code out} holds, up to {@code max} in all: one binary search per rack and list. True when more racks
         * were left out.
         */
        boolean groups(Swarm swarm, boolean ipv6, int prefix, List<SwarmDetail.Group> out, int max) {
            PeerList s = swarm.bind(ipv6, true, view(ipv6, true));
            PeerList l = swarm.bind(ipv6, false, view(ipv6, false));
            int si = 0;
            int li = 0;
            while (si < s.size() || li < l.size()) {
                if (out.size() >= max) {
                    return true;
                }
                IpAddress next = si == s.size() ? l.address(li)
                        : li == l.size() ? s.address(si)
                        : min(s.address(si), l.address(li));
                int bits = Math.clamp(prefix, 0, next.bits());
                IpAddress last = next.lastInNetwork(bits);
                int sEnd = s.lowerBound(last.hi(), last.lo(), PeerList.AFTER_ALL_PORTS);
                int lEnd = l.lowerBound(last.hi(), last.lo(), PeerList.AFTER_ALL_PORTS);
                out.add(new SwarmDetail.Group(next.network(bits), bits, sEnd - si, lEnd - li));
                si = sEnd;
                li = lEnd;
            }
            return false;
        }

        private static IpAddress min(IpAddress x, IpAddress y) {
            return x.compareTo(y) <= 0 ? x : y;
        }

        /** Removes the peer from the seeders or the leechers; true when it was there. */
        boolean remove(Swarm swarm, Peer peer, boolean seeder) {
            IpAddress ip = peer.ip();
            boolean ipv6 = !ip.isIpv4();
            PeerList list = swarm.bind(ipv6, seeder, view(ipv6, seeder));
            int at = list.indexOf(ip.hi(), ip.lo(), peer.port());
            if (at >= 0) {
                list.remove(at);
                swarm.store(ipv6, seeder, list);
                count(ipv6, seeder, -1);
                return true;
            }
            return false;
        }

        int collectGarbage(int cutoff) {
            int removed = 0;
            Swarm[] t = table;
            for (int i = 0; i < t.length; ) {
                Swarm swarm = t[i];
                if (swarm == null) {
                    i++;
                    continue;
                }
                for (int k = 0; k < 4; k++) {
                    boolean ipv6 = k >= 2;
                    boolean seeder = (k & 1) == 0;
                    PeerList list = swarm.bind(ipv6, seeder, view(ipv6, seeder));
                    int n = list.expire(cutoff);
                    if (n > 0) {
                        swarm.store(ipv6, seeder, list);
                        count(ipv6, seeder, -n);
                        removed += n;
                    }
                }
                Groups g = groups.isEmpty() ? null : groups.get(swarm);
                if (g != null) {
                    g.expire(cutoff, seeders4, seeders6);
                    if (g.isEmpty()) {
                        groups.remove(swarm);
                    }
                }
                if (swarm.isEmpty()) {
                    // a later swarm may shift into slot i: look at it again (one wrapped round may be seen twice,
                    // which expires nothing more)
                    removeAt(i);
                } else {
                    i++;
                }
            }
            if (table.length > MIN_TABLE && count < table.length >> 3) {
                resize(Math.max(MIN_TABLE, Integer.highestOneBit(Math.max(1, count)) << 2));
            }
            return removed;
        }

        private void count(boolean ipv6, boolean seeder, int delta) {
            if (ipv6) {
                if (seeder) {
                    seeders6Count += delta;
                } else {
                    leechers6Count += delta;
                }
            } else if (seeder) {
                seeders4Count += delta;
            } else {
                leechers4Count += delta;
            }
        }
    }
}
