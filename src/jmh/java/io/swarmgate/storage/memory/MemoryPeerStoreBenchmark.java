package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.storage.AnnounceResult;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.bittorrent.SwarmStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One 10,000-peer IPv4 swarm spread over 40 /24 racks in 4 /16s, a fifth of it seeders: the cost of picking 50
 * peers for a leecher's whole announce step without and with a locality preference (tiers only, and tiers with
 * the bridge rule), from one thread and from two contending for the swarm's lock, and of a re-announce, a scrape
 * and an expiry sweep.
 * Run: {@code ./mvnw -B -Pbench -DskipTests test-compile exec:exec} (see docs/storage.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MemoryPeerStoreBenchmark {
    static final int PEERS = 10_000;
    static final int RACKS = 40;

    /** The swarm and the peers that announce to it (all members, so selection excludes the announcer). */
    @State(Scope.Benchmark)
    public static class Swarm {
        final InfoHash infoHash = new InfoHash(0x1234_5678_9abc_def0L, 42, 7);
        MemoryPeerStore store;
        Peer[] members;

        @Setup
        public void fill() {
            store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(), ThreadLocalRandom::current);
            members = new Peer[PEERS];
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < PEERS; i++) {
                int rack = i % RACKS;
                // 10.<rack % 4>.<rack>.<host>: racks are /24s, every ten racks share a /16
                int address = 10 << 24 | (rack % 4) << 16 | rack << 8 | (i / RACKS + 1);
                Peer p = new Peer(new PeerId(rnd.nextLong(), rnd.nextLong(), rnd.nextInt()),
                        IpAddress.ipv4(address), 6881 + i / (RACKS * 250));
                members[i] = p;
                store.announce(infoHash, p, Event.NONE, i % 5 == 0, 0, PeerPreference.NONE, NO_PEERS);
            }
        }
    }

    @State(Scope.Thread)
    public static class Announcer {
        /** "none", tiers only ("24,16"), or tiers with the bridge rule ("24,16/2/2": rack quorum 2, 2 bridges). */
        @Param({"none", "24,16", "24,16/2/2"})
        public String preference;
        PeerPreference pref;
        int next;

        @Setup
        public void parse() {
            if (preference.equals("none")) {
                pref = PeerPreference.NONE;
                return;
            }
            String[] parts = preference.split("/");
            java.util.List<Integer> prefixes = java.util.Arrays.stream(parts[0].split(",")).map(Integer::valueOf).toList();
            pref = parts.length == 1 ? new PeerPreference(prefixes)
                    : new PeerPreference(prefixes, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    /** One leecher's announce: refresh it, pick 50 peers into a sink, read the counts, all under one lock. */
    @Benchmark
    public int announceStep(Swarm swarm, Announcer announcer, Blackhole bh) {
        Peer me = swarm.members[announcer.next++ % PEERS | 1]; // odd indexes: leechers
        return swarm.store.announce(swarm.infoHash, me, Event.NONE, false, 50, announcer.pref,
                (f, hi, lo, port, a, b, c) -> bh.consume(lo)).peers();
    }

    /**
     * The same step from two threads on the one swarm: both contend for its shard lock, so this shows what the
     * lock costs when two UDP workers serve one hot torrent (per-operation time, each thread's own).
     */
    @Benchmark
    @Threads(2)
    public int announceStepTwoThreads(Swarm swarm, Announcer announcer, Blackhole bh) {
        return announceStep(swarm, announcer, bh);
    }

    /** A scrape of the swarm: its counts over both address families. */
    @Benchmark
    public SwarmStats scrape(Swarm swarm) {
        return swarm.store.stats(swarm.infoHash);
    }

    /**
     * One expiry sweep over 1,000 swarms of 10 peers, nothing yet due (the every-{@code gc-interval} cost while
     * peers are live) — and, separately, a sweep that removes every peer.
     */
    @Benchmark
    public int expirySweepNothingDue(Expiry expiry) {
        return expiry.store.collectGarbage();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int expirySweepAllDue(ExpiredSwarms expired) {
        return expired.store.collectGarbage();
    }

    /** A re-announce that wants no peers: a refresh in place. */
    @Benchmark
    public AnnounceResult putPeerRefresh(Swarm swarm, Cursor cursor) {
        int i = cursor.next++ % PEERS;
        return swarm.store.announce(swarm.infoHash, swarm.members[i], Event.NONE, i % 5 == 0, 0, PeerPreference.NONE,
                NO_PEERS);
    }

    /**
     * 1,000 swarms of 250 random IPv4 peers each (a fifth seeders), announced to in random order with numwant 50
     * into a compact sink (address and port only, as the UDP and compact HTTP answers): the state
     * {@code swarmgate bench} leaves after a few runs, where the store's arrays (250,000 entries, 8 MB) no longer
     * stay in the caches and each announce reads a cold swarm.
     */
    @State(Scope.Benchmark)
    public static class GrownSwarms {
        static final int SWARMS = 1_000;
        static final int EACH = 250;
        final MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(),
                ThreadLocalRandom::current);
        final InfoHash[] hashes = new InfoHash[SWARMS];
        final Peer[] members = new Peer[SWARMS * EACH];

        @Setup
        public void fill() {
            SplittableRandom rnd = new SplittableRandom(3);
            for (int s = 0; s < SWARMS; s++) {
                hashes[s] = new InfoHash(rnd.nextLong(), rnd.nextLong(), s);
            }
            // peers join the swarms interleaved, as they do under load, so the arrays are spread over the heap
            for (int p = 0; p < EACH; p++) {
                for (int s = 0; s < SWARMS; s++) {
                    Peer peer = new Peer(new PeerId(rnd.nextLong(), rnd.nextLong(), rnd.nextInt()),
                            IpAddress.ipv4(0x0a00_0000 | rnd.nextInt(1 << 24)), 1024 + rnd.nextInt(60_000));
                    members[s * EACH + p] = peer;
                    store.announce(hashes[s], peer, Event.STARTED, p % 5 == 0, 0, PeerPreference.NONE, NO_PEERS);
                }
            }
        }
    }

    /** What a UDP worker's sink does with a peer: its address and port only. */
    static final class CompactSink implements PeerSink {
        Blackhole bh;

        @Override
        public void peer(io.swarmgate.bittorrent.AddressFamily f, long hi, long lo, int port, long a, long b, int c) {
            bh.consume(lo ^ port);
        }
    }

    @State(Scope.Thread)
    public static class GrownCursor {
        final SplittableRandom rnd = new SplittableRandom(4);
        final CompactSink sink = new CompactSink();
    }

    /** A random member of a random grown swarm re-announces and gets 50 peers (compact). */
    @Benchmark
    public int announceStepGrownSwarms(GrownSwarms grown, GrownCursor cursor, Blackhole bh) {
        int s = cursor.rnd.nextInt(GrownSwarms.SWARMS);
        int p = 1 + cursor.rnd.nextInt(GrownSwarms.EACH - 1);
        cursor.sink.bh = bh;
        return grown.store.announce(grown.hashes[s], grown.members[s * GrownSwarms.EACH + p], Event.NONE,
                p % 5 == 0, 50, PeerPreference.NONE, cursor.sink).peers();
    }

    /** 1,000 swarms of 10 peers, all fresh. */
    @State(Scope.Benchmark)
    public static class Expiry {
        MemoryPeerStore store;

        @Setup
        public void fill() {
            store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(), ThreadLocalRandom::current);
            fillSwarms(store, 1_000, 10);
        }
    }

    /** 1,000 swarms of 10 peers, all past their lifetime: refilled before every sweep. */
    @State(Scope.Thread)
    public static class ExpiredSwarms {
        MemoryPeerStore store;

        @Setup(Level.Invocation)
        public void fill() {
            MutableClock clock = new MutableClock(Instant.EPOCH);
            store = new MemoryPeerStore(Duration.ofMinutes(31), clock, ThreadLocalRandom::current);
            fillSwarms(store, 1_000, 10);
            clock.advance(Duration.ofHours(1));
        }
    }

    static void fillSwarms(MemoryPeerStore store, int swarms, int peersEach) {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int s = 0; s < swarms; s++) {
            InfoHash h = new InfoHash(rnd.nextLong(), rnd.nextLong(), s);
            for (int p = 0; p < peersEach; p++) {
                Peer peer = new Peer(new PeerId(rnd.nextLong(), rnd.nextLong(), p),
                        IpAddress.ipv4(0x0a00_0000 | s << 4 | p), 6881);
                store.announce(h, peer, Event.STARTED, p % 5 == 0, 0, PeerPreference.NONE, NO_PEERS);
            }
        }
    }

    private static final PeerSink NO_PEERS = (f, hi, lo, port, a, b, c) -> {
    };
}
