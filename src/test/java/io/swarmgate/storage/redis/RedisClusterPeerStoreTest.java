package io.swarmgate.storage.redis;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerCollector;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.storage.AnnounceResult;
import io.swarmgate.storage.StoreUnavailableException;
import io.swarmgate.testing.RedisServers;
import io.swarmgate.testing.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same suite against a three-master Redis Cluster: no command may cross slots. */
class RedisClusterPeerStoreTest extends RedisPeerStoreTest {
    static RedisServers cluster;

    @BeforeAll
    static void startRedis() {
        cluster = RedisServers.cluster();
    }

    @AfterAll
    static void stopRedis() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    RedisServers servers() {
        return cluster;
    }

    /**
     * Resharding under a running store: the swarm's slot moves to another master with its keys, and the
     * master the store's pipelines still send it to answers MOVED. The announce is served from the new master
     * with the swarm intact, on the blocking and the asynchronous path alike, and the calls after it go
     * straight there (the old master is not asked again).
     */
    @ParameterizedTest(name = "asynchronous={0}")
    @ValueSource(booleans = {false, true})
    void aSwarmWhoseSlotMovedToAnotherMasterIsServedThere(boolean async) throws Exception {
        InfoHash t = torrent(async ? 8 : 7);
        Peer first = peer("10.0.0.1", 6881);
        put(t, first, true);
        int slot = JedisClusterCRC16.getSlot(t.hex());
        RedisServers.Node from = owner(slot);
        moveSlot(slot, from, another(from));

        PeerCollector sink = new PeerCollector();
        Peer second = peer("10.0.0.2", 6881);
        if (async) {
            store.announceAsync(t, second, Event.STARTED, false, 50, PeerPreference.NONE, sink)
                    .get(5, TimeUnit.SECONDS);
        } else {
            store.announce(t, second, Event.STARTED, false, 50, PeerPreference.NONE, sink);
        }
        assertEquals(List.of(first), sink.peers(), "the seeder, from the swarm's new master");

        for (RedisServers.Node n : cluster.nodes()) {
            cluster.cli(n, "CONFIG", "RESETSTAT");
        }
        for (int i = 3; i < 13; i++) {
            PeerCollector s = new PeerCollector();
            Peer p = peer("10.0.0." + i, 6881);
            if (i % 2 == 0) {
                store.announceAsync(t, p, Event.STARTED, false, 50, PeerPreference.NONE, s).get(5, TimeUnit.SECONDS);
            } else {
                store.announce(t, p, Event.STARTED, false, 50, PeerPreference.NONE, s);
            }
            assertEquals(i - 1, s.peers().size(), "everyone else in the swarm");
        }
        assertEquals(new SwarmStats(1, 11, 0), store.stats(t));
        assertFalse(cluster.cli(from, "INFO", "commandstats").contains("cmdstat_fcall"),
                "after the first redirection the old master is not asked again");
        assertEquals(Set.of(), Set.copyOf(keysIn(from, slot)), "the swarm's keys all moved");
    }

    /**
     * A scrape of several swarms, one of which moved to another master under a running store: that master's
     * refusal (MOVED) sends its call the single call's way, and every count is right.
     */
    @org.junit.jupiter.api.Test
    void aScrapeWhoseSwarmMovedToAnotherMasterIsServedThere() {
        InfoHash moved = torrent(13);
        put(moved, peer("10.0.0.1", 6881), true);
        put(torrent(14), peer("10.0.0.2", 6881), false);
        int slot = JedisClusterCRC16.getSlot(moved.hex());
        RedisServers.Node from = owner(slot);
        moveSlot(slot, from, another(from));
        assertEquals(List.of(new SwarmStats(0, 1, 0), new SwarmStats(1, 0, 0), SwarmStats.EMPTY),
                store.stats(List.of(torrent(14), moved, torrent(15))));
    }

    /**
     * While a swarm's slot is half moved (keys migrated, slot not yet handed over), Redis refuses the store's
     * call with TRYAGAIN (several keys named, some not there). An announce then waits, within the timeout,
     * for the slot to finish moving, and is served from the new master, on the blocking and the asynchronous
     * path: not answered "storage unavailable" for a resharding that takes milliseconds.
     */
    @ParameterizedTest(name = "asynchronous={0}")
    @ValueSource(booleans = {false, true})
    void anAnnounceDuringASlotMigrationWaitsForItToEnd(boolean async) throws Exception {
        InfoHash t = torrent(async ? 10 : 9);
        Peer first = peer("10.0.0.1", 6881);
        put(t, first, true);
        int slot = JedisClusterCRC16.getSlot(t.hex());
        RedisServers.Node from = owner(slot);
        String toId = startMoving(slot, from, another(from));
        long refusedBefore = tryAgains();
        PeerCollector sink = new PeerCollector();
        Peer second = peer("10.0.0.2", 6881);
        CompletableFuture<AnnounceResult> answer = started(async, t, second, sink);
        Wire.eventually("Redis refused the call while the slot moves", Duration.ofSeconds(2),
                () -> tryAgains() > refusedBefore);
        assertFalse(answer.isDone(), "the announce waits for the slot");
        for (RedisServers.Node n : cluster.nodes()) {
            assertEquals("OK", cluster.cli(n, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId).strip());
        }
        AnnounceResult r = answer.get(5, TimeUnit.SECONDS);
        assertEquals(List.of(first), sink.peers(), "served from the new master, the swarm intact");
        assertEquals(1, r.complete());
        assertEquals(new SwarmStats(1, 1, 0), store.stats(t));
    }

    /**
     * The timeout bounds the whole announce, not each attempt: while the announce waits out a slot migration
     * (TRYAGAIN, sent again through the Cluster client) for a good part of its timeout, the master that imports
     * the slot hangs (SIGSTOP). The client's next attempt then blocks on a socket that answers nothing, with a
     * socket timeout of its own; the announce still fails with "storage unavailable" within the store's
     * timeout of when it started (plus the margin of a loaded machine), not a socket timeout after its last
     * attempt began.
     */
    @ParameterizedTest(name = "asynchronous={0}")
    @ValueSource(booleans = {false, true})
    void anAnnounceWaitingOutAMigrationFailsWithinItsTimeoutWhenAMasterHangs(boolean async) throws Exception {
        InfoHash t = torrent(async ? 12 : 11);
        Peer first = peer("10.0.0.1", 6881);
        put(t, first, true);
        int slot = JedisClusterCRC16.getSlot(t.hex());
        RedisServers.Node from = owner(slot);
        RedisServers.Node to = another(from);
        String toId = startMoving(slot, from, to);
        long refusedBefore = tryAgains();
        Peer second = peer("10.0.0.2", 6881);
        long start = System.nanoTime();
        CompletableFuture<AnnounceResult> answer = started(async, t, second, new PeerCollector());
        // refused again and again (every 10 ms) for a good part of the timeout: then the master hangs
        Wire.eventually("Redis refused the call 50 times while the slot moves", TIMEOUT,
                () -> tryAgains() >= refusedBefore + 50);
        cluster.pause(to);
        try {
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> answer.get(TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(StoreUnavailableException.class, unwrapped(failed.getCause()));
            assertTrue(tookMillis < TIMEOUT.toMillis() + 400,
                    "failed after " + tookMillis + " ms, timeout " + TIMEOUT.toMillis() + " ms");
        } finally {
            cluster.resume(to);
        }
        for (RedisServers.Node n : cluster.nodes()) {
            assertEquals("OK", cluster.cli(n, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId).strip());
        }
        PeerCollector sink = new PeerCollector();
        store.announce(t, peer("10.0.0.3", 6881), Event.STARTED, false, 50, PeerPreference.NONE, sink);
        assertTrue(sink.peers().contains(first), "served again once the master answers, the seeder there");
    }

    /** A leecher's first announce, on the asynchronous path or the blocking one (then on a thread of its own). */
    private CompletableFuture<AnnounceResult> started(boolean async, InfoHash t, Peer p, PeerCollector sink) {
        return async
                ? store.announceAsync(t, p, Event.STARTED, false, 50, PeerPreference.NONE, sink)
                : CompletableFuture.supplyAsync(
                        () -> store.announce(t, p, Event.STARTED, false, 50, PeerPreference.NONE, sink));
    }

    private static Throwable unwrapped(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** TRYAGAIN errors Redis answered, over all nodes (INFO errorstats). */
    private static long tryAgains() {
        long n = 0;
        for (RedisServers.Node node : cluster.nodes()) {
            for (String line : cluster.cli(node, "INFO", "errorstats").split("\n")) {
                if (line.startsWith("errorstat_TRYAGAIN:count=")) {
                    n += Long.parseLong(line.strip().substring("errorstat_TRYAGAIN:count=".length()));
                }
            }
        }
        return n;
    }

    /** A master other than {@code node}. */
    private static RedisServers.Node another(RedisServers.Node node) {
        return cluster.nodes().stream().filter(n -> n != node).findFirst().orElseThrow();
    }

    /** The master holding the slot's keys. */
    private static RedisServers.Node owner(int slot) {
        for (RedisServers.Node n : cluster.nodes()) {
            if (Long.parseLong(cluster.cli(n, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot)).strip()) > 0) {
                return n;
            }
        }
        throw new AssertionError("no master holds keys of slot " + slot);
    }

    /** CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE of the slot's keys, then SETSLOT NODE on every master. */
    private static void moveSlot(int slot, RedisServers.Node from, RedisServers.Node to) {
        String toId = startMoving(slot, from, another(from));
        for (RedisServers.Node n : cluster.nodes()) {
            assertEquals("OK", cluster.cli(n, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId).strip());
        }
    }

    /** CLUSTER SETSLOT IMPORTING/MIGRATING and MIGRATE of the slot's keys; returns the new master's id. */
    private static String startMoving(int slot, RedisServers.Node from, RedisServers.Node to) {
        String s = Integer.toString(slot);
        String fromId = cluster.cli(from, "CLUSTER", "MYID").strip();
        String toId = cluster.cli(to, "CLUSTER", "MYID").strip();
        assertEquals("OK", cluster.cli(to, "CLUSTER", "SETSLOT", s, "IMPORTING", fromId).strip());
        assertEquals("OK", cluster.cli(from, "CLUSTER", "SETSLOT", s, "MIGRATING", toId).strip());
        List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(to.port), "", "0",
                "5000", "KEYS"));
        List<String> keys = keysIn(from, slot);
        assertFalse(keys.isEmpty(), "the swarm's keys are on the master that serves its slot");
        migrate.addAll(keys);
        assertEquals("OK", cluster.cli(from, migrate.toArray(String[]::new)).strip());
        return toId;
    }

    private static List<String> keysIn(RedisServers.Node node, int slot) {
        List<String> keys = new ArrayList<>();
        for (String k : cluster.cli(node, "CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "1000").split("\n")) {
            if (!k.isBlank()) {
                keys.add(k.strip());
            }
        }
        return keys;
    }
}
