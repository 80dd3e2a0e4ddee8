package io.swarmgate.storage.redis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.protocol.udp.CompactPeer;
import io.swarmgate.protocol.udp.ScrapeEntry;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.testing.RawHttp;
import io.swarmgate.testing.RedisServers;
import io.swarmgate.testing.UdpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two tracker instances on one Redis (a single server, then a three-master Cluster), as behind a load balancer:
 * whatever one instance was told, the other answers with, over HTTP and UDP, with no wait in between.
 */
class SharedSwarmIT {
    private static final String SECRET = "shared-secret-of-both-instances";
    private final List<AutoCloseable> open = new ArrayList<>();
    private Swarmgate a;
    private Swarmgate b;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private void start(boolean cluster) {
        RedisServers redis = cluster ? RedisServers.cluster() : RedisServers.single();
        open.add(redis);
        a = tracker(redis);
        b = tracker(redis);
    }

    private Swarmgate tracker(RedisServers redis) {
        Swarmgate t = Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {port: 0, host: 127.0.0.1}
                udp: {port: 0, host: 127.0.0.1, connection-id-secret: %s}
                metrics: {enabled: false}
                storage:
                  type: redis
                  redis: {uri: "%s", cluster: %s, timeout: 2s}
                """.formatted(SECRET, redis.uri(), redis.isCluster())), new SimpleMeterRegistry(),
                InstantSource.system());
        open.add(t);
        return t;
    }

    @ParameterizedTest(name = "cluster={0}")
    @ValueSource(booleans = {false, true})
    void bothInstancesServeOneSwarm(boolean cluster) throws Exception {
        start(cluster);
        // HTTP: a peer announced on A is returned by B and the other way round
        byte[] t = hash("http");
        assertEquals(1L, http(a, t, "peer-a", 7001, 100, "started").get("incomplete"));
        Map<String, Object> fromB = http(b, t, "peer-b", 7002, 100, "started");
        assertArrayEquals(compact(7001), (byte[]) fromB.get("peers"), "B returns the peer announced on A");
        Map<String, Object> fromA = http(a, t, "peer-a", 7001, 100, "");
        assertArrayEquals(compact(7002), (byte[]) fromA.get("peers"), "A returns the peer announced on B");
        // a stop on A is seen on B
        http(a, t, "peer-a", 7001, 100, "stopped");
        Map<String, Object> alone = http(b, t, "peer-b", 7002, 100, "");
        assertArrayEquals(new byte[0], (byte[]) alone.get("peers"));
        assertEquals(1L, alone.get("incomplete"));

        // UDP: a connection id issued by A works on B, and the swarm is the same
        InfoHash u = InfoHash.of(hash("udp"));
        try (UdpClient onA = new UdpClient("127.0.0.1", a.udpPort(), 1);
             UdpClient other = new UdpClient("127.0.0.1", a.udpPort(), 2)) {
            UdpClient onB = new UdpClient(other, b.udpPort());
            long idFromA = other.connect();
            onA.announce(onA.connect(), u, 100, 2);
            UdpAnnounceResponse r = onB.announce(idFromA, u, 100, 2);
            assertEquals(List.of(new CompactPeer(IpAddress.parse("127.0.0.1"), onA.port)), r.peers(),
                    "B accepted A's connection id and returned the peer announced on A");
            assertEquals(2, r.leechers());
            onA.announce(onA.connect(), u, 0, 3); // stopped, on A
            assertEquals(List.of(new ScrapeEntry(0, 0, 1)), onB.scrape(idFromA, u).entries(), "B sees the stop");
        }

        // B keeps serving when A is gone
        a.close();
        assertEquals(2L, http(b, t, "peer-c", 7003, 100, "started").get("incomplete"));
    }

    @ParameterizedTest(name = "cluster={0}")
    @ValueSource(booleans = {false, true})
    void concurrentAnnouncesOverBothInstancesAreAllCounted(boolean cluster) throws Exception {
        start(cluster);
        byte[] t = hash("many");
        int peers = 120;
        // A UDP peer is its socket's address and port: every client stays open until all have been answered,
        // or a closed client's ephemeral port could be handed to a later one, two peers would be one, and the
        // swarm would rightly count one fewer (the 79-of-80 failure once seen in CI).
        List<UdpClient> udp = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(24)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < peers; i++) {
                int n = i;
                done.add(pool.submit(() -> {
                    Swarmgate via = n % 2 == 0 ? a : b;
                    if (n % 4 < 2) {
                        http(via, t, "many-" + n, 10_000 + n, n % 3 == 0 ? 0 : 100, "started");
                    } else {
                        UdpClient c = new UdpClient("127.0.0.1", via.udpPort(), n);
                        udp.add(c);
                        c.announce(c.connect(), InfoHash.of(t), n % 3 == 0 ? 0 : 100, 2);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            for (UdpClient c : udp) {
                c.close();
            }
        }
        Set<Integer> udpPorts = new HashSet<>();
        for (UdpClient c : udp) {
            udpPorts.add(c.port);
        }
        assertEquals(peers / 2, udpPorts.size(), "one UDP port per UDP peer");
        int seeders = 0;
        for (int i = 0; i < peers; i++) {
            seeders += i % 3 == 0 ? 1 : 0;
        }
        for (Swarmgate via : List.of(a, b)) {
            assertEquals(Map.of("complete", (long) seeders, "incomplete", (long) (peers - seeders),
                    "downloaded", 0L), scrape(via, t), "every announce counted, whichever instance took it");
        }
    }

    private static byte[] hash(String label) {
        byte[] h = new byte[20];
        ByteBuffer.wrap(h).put(label.getBytes(StandardCharsets.US_ASCII)).putLong(12, System.nanoTime());
        return h;
    }

    private static byte[] compact(int port) {
        return new byte[] {127, 0, 0, 1, (byte) (port >> 8), (byte) port};
    }

    static Map<String, Object> http(Swarmgate via, byte[] t, String peer, int port, long left, String event)
            throws IOException {
        String query = "/announce?info_hash=" + pct(t) + "&peer_id=" + pct(id(peer)) + "&port=" + port
                + "&uploaded=0&downloaded=0&left=" + left + (event.isEmpty() ? "" : "&event=" + event);
        RawHttp.Response r = RawHttp.get(null, "127.0.0.1", via.httpPort(), query);
        assertEquals(200, r.status(), r::text);
        Map<String, Object> answer = Bencode.decodeDict(r.body());
        assertEquals(null, answer.get("failure reason"), r::text);
        return answer;
    }

    private static Map<?, ?> scrape(Swarmgate via, byte[] t) throws IOException {
        RawHttp.Response r = RawHttp.get(null, "127.0.0.1", via.httpPort(), "/scrape?info_hash=" + pct(t));
        Map<?, ?> files = (Map<?, ?>) Bencode.decodeDict(r.body()).get("files");
        return (Map<?, ?>) files.values().iterator().next();
    }

    private static byte[] id(String label) {
        return String.format("%-20s", label).getBytes(StandardCharsets.US_ASCII);
    }
}
