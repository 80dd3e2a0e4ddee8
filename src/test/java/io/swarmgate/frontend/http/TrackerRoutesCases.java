package io.swarmgate.frontend.http;

import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.config.HttpConfig;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.storage.memory.MemoryPeerStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an HTTP client sees of announce and scrape, written once and run twice, as Helidon's own examples do:
 * in-process against the routing ({@link TrackerRoutesTest}, Helidon's DirectClient: no socket) and through a
 * real listener over loopback ({@link TrackerRoutesIT}). The client is IPv4 127.0.0.1 in both. Cases that
 * depend on the connection itself (IPv6 sources, proxies, oversized request lines) are in {@link HttpTrackerIT}.
 */
abstract class TrackerRoutesCases {
    private static MemoryPeerStore store;
    private static TrackerLogic logic;
    private final Http1Client client;

    TrackerRoutesCases(Http1Client client) {
        this.client = client;
    }

    /** The tracker's HTTP routes with the default config, over a fresh memory store. */
    static void routes(HttpRouting.Builder routing) {
        store = new MemoryPeerStore(Duration.ofMinutes(45), InstantSource.system(), SplittableRandom::new);
        logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(), List.of());
        routing.register(new TrackerHttpService(HttpConfig.DEFAULTS, logic,
                new RequestMetrics(new SimpleMeterRegistry())));
    }

    @AfterAll
    static void closeStore() {
        logic.close();
        store.close();
    }

    /** A GET with the query sent exactly as written: info_hash and peer_id are percent-encoded raw bytes. */
    private byte[] get(String pathAndQuery) {
        try (Http1ClientResponse r = client.get(pathAndQuery).skipUriEncoding(true)
                .header(HeaderNames.USER_AGENT, "swarmgate-test").request()) {
            assertEquals(200, r.status().code(), pathAndQuery);
            return r.entity().as(byte[].class);
        }
    }

    private static String announceQuery(String torrent, String peer, int peerPort, long left, String extra) {
        return "/announce?info_hash=" + pct(id20(torrent)) + "&peer_id=" + pct(id20(peer)) + "&port=" + peerPort
                + "&uploaded=0&downloaded=0&left=" + left + extra;
    }

    private Map<String, Object> announce(String torrent, String peer, int peerPort, long left, String extra) {
        return Bencode.decodeDict(get(announceQuery(torrent, peer, peerPort, left, extra))); // refuses unsorted keys
    }

    private Map<?, ?> scrapeOne(String torrent) {
        Map<?, ?> files = (Map<?, ?>) Bencode.decodeDict(get("/scrape?info_hash=" + pct(id20(torrent)))).get("files");
        return (Map<?, ?>) files.get(new String(id20(torrent), StandardCharsets.ISO_8859_1));
    }

    private long count(String torrent, String key) {
        return (Long) scrapeOne(torrent).get(key);
    }

    @Test
    void firstAnnounceGetsEveryRequiredKeyAndNoPeers() {
        Map<String, Object> d = announce("t-empty", "p1", 6881, 100, "&event=started");
        assertEquals(List.of("complete", "incomplete", "interval", "min interval", "peers"), List.copyOf(d.keySet()));
        assertEquals(1800L, d.get("interval"));
        assertEquals(900L, d.get("min interval"));
        assertArrayEquals(new byte[0], (byte[]) d.get("peers"));
    }

    @Test
    void peersFindEachOtherButNeverThemselvesAndSeedersGetNoSeeders() {
        announce("t-swarm", "seed-a", 7001, 0, "&event=started");
        assertEquals(1, count("t-swarm", "complete"), "seeder stored");
        Map<String, Object> leecher = announce("t-swarm", "leech-b", 7002, 500, "&event=started");
        assertArrayEquals(new byte[] {127, 0, 0, 1, 7001 >> 8, (byte) 7001}, (byte[]) leecher.get("peers"));
        assertEquals(1L, leecher.get("complete"));
        assertEquals(1, count("t-swarm", "incomplete"), "leecher stored");
        announce("t-swarm", "seed-c", 7003, 0, "&event=started");
        assertEquals(2, count("t-swarm", "complete"), "second seeder stored");
        Map<String, Object> seeder = announce("t-swarm", "seed-a", 7001, 0, "");
        assertArrayEquals(new byte[] {127, 0, 0, 1, 7002 >> 8, (byte) 7002}, (byte[]) seeder.get("peers"),
                "a seeder gets only the leecher: not itself, not the other seeder");
    }

    @Test
    void completedCountsADownloadAndStoppedLeaves() {
        announce("t-life", "p", 7100, 10, "&event=started");
        assertEquals(1, count("t-life", "incomplete"), "leecher");
        announce("t-life", "p", 7100, 0, "&event=completed");
        assertEquals(List.of(1L, 0L), List.of(count("t-life", "complete"), count("t-life", "incomplete")),
                "became seeder");
        assertEquals(1L, scrapeOne("t-life").get("downloaded"));
        announce("t-life", "p", 7100, 0, "&event=stopped");
        assertEquals(0, count("t-life", "complete"), "gone");
    }

    @Test
    void dictModeListsPeersWithIdsUnlessNoPeerId() {
        announce("t-dict", "dict-seed", 7301, 0, "");
        assertEquals(1, count("t-dict", "complete"), "seed");
        Map<String, Object> d = announce("t-dict", "dict-l", 7302, 5, "&compact=0");
        Map<?, ?> p = (Map<?, ?>) ((List<?>) d.get("peers")).get(0);
        assertEquals("127.0.0.1", new String((byte[]) p.get("ip"), StandardCharsets.US_ASCII));
        assertEquals(7301L, p.get("port"));
        assertArrayEquals(id20("dict-seed"), (byte[]) p.get("peer id"));
        Map<String, Object> n = announce("t-dict", "dict-l", 7302, 5, "&compact=0&no_peer_id=1");
        assertFalse(((Map<?, ?>) ((List<?>) n.get("peers")).get(0)).containsKey("peer id"));
    }

    @Test
    void clientMistakesGetStatus200AndAReason() {
        assertEquals("d14:failure reason42:invalid info_hash: must be 20 bytes, got 5e",
                new String(get("/announce?info_hash=short&peer_id=x"), StandardCharsets.ISO_8859_1));
        String scrape = new String(get("/scrape"), StandardCharsets.ISO_8859_1);
        assertTrue(scrape.startsWith("d14:failure reason"), scrape);
    }

    @Test
    void scrapeReportsEveryHashKeyedByRawBytes() {
        announce("t-scrape", "s1", 7501, 0, "");
        assertEquals(1, count("t-scrape", "complete"), "stored");
        Map<?, ?> files = (Map<?, ?>) Bencode.decodeDict(get("/scrape?info_hash=" + pct(id20("t-scrape"))
                + "&info_hash=" + pct(id20("t-unknown")))).get("files");
        assertEquals(2, files.size());
        assertEquals(Map.of("complete", 1L, "incomplete", 0L, "downloaded", 0L),
                files.get(new String(id20("t-scrape"), StandardCharsets.ISO_8859_1)));
        assertEquals(Map.of("complete", 0L, "incomplete", 0L, "downloaded", 0L),
                files.get(new String(id20("t-unknown"), StandardCharsets.ISO_8859_1)));
    }
}
