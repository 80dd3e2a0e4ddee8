package io.swarmgate.storage.redis;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerCollector;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.config.RedisConfig;
import io.swarmgate.storage.AnnounceResult;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.PeerStoreContract;
import io.swarmgate.storage.StoreSteps;
import io.swarmgate.storage.StoreTotals;
import io.swarmgate.testing.RedisServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage contract against a real redis-server, plus what only a shared, remote store must do. */
class RedisPeerStoreTest extends PeerStoreContract {
    static RedisServers redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServers.single();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    /** The servers this class runs against; the Cluster subclass swaps them. */
    RedisServers servers() {
        return redis;
    }

    /** The store's storage.redis.timeout in these tests. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    RedisPeerStore open(Duration peerLifetime, MutableClock clock) {
        RedisConfig config = new RedisConfig(servers().uri(), servers().isCluster(), TIMEOUT, 8);
        return new RedisPeerStore(config, peerLifetime, clock);
    }

    @Override
    protected PeerStore newStore(Duration peerLifetime, MutableClock clock) {
        for (RedisServers.Node n : servers().nodes()) {
            assertEquals("OK", servers().cli(n, "FLUSHALL").strip());
        }
        return open(peerLifetime, clock);
    }

    @Test
    void everyAnnounceIsOneFunctionCallAndNothingElse() {
        InfoHash[] torrents = new InfoHash[50];
        for (int i = 0; i < torrents.length; i++) {
            torrents[i] = torrent(i + 1);
        }
        put(torrents[0], peer("10.0.0.1", 6881), true); // connections made, library loaded
        servers().resetStats();
        RedisServers.Monitor monitor = servers().monitor();
        int n = 0;
        for (int i = 0; i < 400; i++) {
            InfoHash t = torrents[i % torrents.length];
            Peer p = peer("10.0." + (i >>> 8) + "." + (i & 0xff), 6881);
            Event e = i % 10 == 3 ? Event.COMPLETED : i % 10 == 7 ? Event.STOPPED : Event.STARTED;
            store.announce(t, p, e, i % 3 == 0, 50, i % 2 == 0 ? new PeerPreference(List.of(24, 16))
                    : PeerPreference.NONE, (family, hi, lo, port, id0, id1, id2) -> {
            });
            n++;
        }
        Map<String, Long> sent = monitor.stop();
        assertEquals(n, servers().calls("fcall"), "INFO commandstats: one FCALL per announce");
        assertEquals(Map.of("fcall", (long) n), sent, "MONITOR: no other command over the network");
    }

    /**
     * A scrape of many swarms is one FCALL per swarm, written together: each server reads them in a read or
     * two instead of one per swarm, so the scrape waits about one round trip, not sixty.
     */
    @Test
    void aScrapeOfManySwarmsGoesOutTogether() {
        List<InfoHash> torrents = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            torrents.add(torrent(i));
            put(torrent(i), peer("10.0.0." + i, 6881), i % 2 == 0);
        }
        servers().resetStats();
        long readsBefore = servers().reads();
        List<SwarmStats> stats = store.stats(torrents);
        long reads = servers().reads() - readsBefore;
        for (int i = 1; i <= 60; i++) {
            assertEquals(i % 2 == 0 ? new SwarmStats(1, 0, 0) : new SwarmStats(0, 1, 0), stats.get(i - 1));
        }
        assertEquals(60, servers().calls("fcall"), "one FCALL per swarm");
        // one call after another took a read each (60, and INFO's own); together they take a few per server
        // (the pipeline writes up to 32 calls at once, and INFO is a read too)
        assertTrue(reads <= 15, reads + " reads for 60 calls");
    }


    @Test
    void aServerThatForgotTheFunctionsGetsThemAgain() {
        InfoHash t = torrent(1);
        put(t, peer("10.0.0.1", 6881), true);
        for (RedisServers.Node node : servers().nodes()) {
            assertEquals("OK", servers().cli(node, "FUNCTION", "FLUSH").strip());
        }
        assertEquals(new SwarmStats(1, 1, 0), statsAfterPut(t, peer("10.0.0.2", 6881)));
    }

    @Test
    void aServerThatForgotTheFunctionsGetsThemAgainOnTheAsynchronousPath() throws Exception {
        InfoHash t = torrent(1);
        Peer first = peer("10.0.0.1", 6881);
        put(t, first, true);
        for (RedisServers.Node node : servers().nodes()) {
            assertEquals("OK", servers().cli(node, "FUNCTION", "FLUSH").strip());
        }
        PeerCollector sink = new PeerCollector();
        AnnounceResult r = store.announceAsync(t, peer("10.0.0.2", 6881), Event.STARTED, false, 50,
                PeerPreference.NONE, sink).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(first), sink.peers(), "the seeder, handed out once the library is back");
        assertEquals(new SwarmStats(1, 1, 0), store.stats(t));
        assertEquals(1, r.complete());
    }

    @Test
    void aScrapeOfManySwarmsLoadsTheFunctionsAgainWhenTheServerForgotThem() {
        put(torrent(1), peer("10.0.0.1", 6881), true);
        put(torrent(2), peer("10.0.0.2", 6881), false);
        for (RedisServers.Node node : servers().nodes()) {
            assertEquals("OK", servers().cli(node, "FUNCTION", "FLUSH").strip());
        }
        assertEquals(List.of(new SwarmStats(1, 0, 0), new SwarmStats(0, 1, 0), SwarmStats.EMPTY),
                store.stats(List.of(torrent(1), torrent(2), torrent(3))));
    }

    private SwarmStats statsAfterPut(InfoHash t, Peer p) {
        put(t, p, false);
        return store.stats(t);
    }

    @Test
    void instancesThatSweepAtTheSameMomentRemoveEachPeerOnce() throws Exception {
        for (int s = 1; s <= 20; s++) {
            for (int i = 0; i < 30; i++) {
                put(torrent(s), peer("10." + s + ".0." + i, 6881), i % 3 == 0);
            }
        }
        clock.advance(LIFETIME.plusSeconds(1));
        put(torrent(21), peer("10.99.0.1", 6881), false); // one fresh peer in another swarm stays
        List<RedisPeerStore> instances = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            instances.add(open(LIFETIME, clock));
        }
        int removed = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(instances.size())) {
            List<Future<Integer>> passes = new ArrayList<>();
            for (RedisPeerStore s : instances) {
                passes.add(pool.submit(s::collectGarbage));
            }
            for (Future<Integer> f : passes) {
                removed += f.get();
            }
        } finally {
            instances.forEach(RedisPeerStore::close);
        }
        assertEquals(20 * 30, removed, "each expired peer counted by exactly one instance");
        assertEquals(new StoreTotals(1, 0, 1, 0, 0), store.totals());
        assertEquals(SwarmStats.EMPTY, store.stats(torrent(1)));
        assertEquals(new SwarmStats(0, 1, 0), store.stats(torrent(21)));
    }

    @Test
    void aStoppedSwarmKeepsItsDownloadsUntilTheSweep() {
        InfoHash t = torrent(1);
        Peer p = peer("10.0.0.1", 6881);
        StoreSteps.complete(store, t, p);
        StoreSteps.stop(store, t, p);
        assertEquals(new SwarmStats(0, 0, 1), store.stats(t));
        store.collectGarbage();
        assertEquals(SwarmStats.EMPTY, store.stats(t));
        assertEquals(new StoreTotals(0, 0, 0, 0, 0), store.totals());
    }
}
