package io.swarmgate.frontend.http;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Announces and scrapes through the real Helidon listener over loopback sockets (IPv4 and IPv6). */
class HttpTrackerIT {
    private static Swarmgate tracker;
    private static int port;

    @BeforeAll
    static void start() {
        tracker = Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {port: 0, real-ip-header: X-Forwarded-For, trusted-proxies: [127.0.0.9/32]}
                udp: {enabled: false}
                metrics: {enabled: false}
                """), new SimpleMeterRegistry(), InstantSource.system());
        port = tracker.httpPort();
    }

    @AfterAll
    static void stop() {
        tracker.close();
    }

    private static RawHttp.Response get(String source, String pathAndQuery, String... headers) throws IOException {
        String host = source.contains(":") ? "::1" : "127.0.0.1";
        return RawHttp.get(source, host, port, pathAndQuery, headers);
    }

    private static String announceQuery(String torrent, String peer, int peerPort, long left, String extra) {
        return "/announce?info_hash=" + pct(id20(torrent)) + "&peer_id=" + pct(id20(peer)) + "&port=" + peerPort
                + "&uploaded=0&downloaded=0&left=" + left + extra;
    }

    private static Map<String, Object> announce(String source, String torrent, String peer, int peerPort, long left,
                                                String extra) throws IOException {
        RawHttp.Response r = get(source, announceQuery(torrent, peer, peerPort, left, extra));
        assertEquals(200, r.status());
        return Bencode.decodeDict(r.body()); // the decoder refuses unsorted keys
    }

    private static Map<String, Object> scrapeOne(String torrent) throws IOException {
        Map<String, Object> d = Bencode.decodeDict(get("127.0.0.1", "/scrape?info_hash=" + pct(id20(torrent))).body());
        @SuppressWarnings("unchecked")
        Map<String, Object> files = (Map<String, Object>) d.get("files");
        @SuppressWarnings("unchecked")
        Map<String, Object> f = (Map<String, Object>) files.get(new String(id20(torrent), StandardCharsets.ISO_8859_1));
        return f;
    }

    @Test
    void firstAnnounceGetsEveryRequiredKeyAndNoPeers() throws IOException {
        Map<String, Object> d = announce("127.0.0.1", "t-empty", "p1", 6881, 100, "&event=started");
        assertEquals(List.of("complete", "incomplete", "interval", "min interval", "peers"), List.copyOf(d.keySet()));
        assertEquals(1800L, d.get("interval"));
        assertEquals(900L, d.get("min interval"));
        assertArrayEquals(new byte[0], (byte[]) d.get("peers"));
    }

    @Test
    void peersFindEachOtherButNeverThemselvesAndSeedersGetNoSeeders() throws IOException {
        announce("127.0.0.1", "t-swarm", "seed-a", 7001, 0, "&event=started");
        assertTrue(count("t-swarm", "complete") == 1, "seeder stored");
        Map<String, Object> leecher = announce("127.0.0.1", "t-swarm", "leech-b", 7002, 500, "&event=started");
        byte[] peers = (byte[]) leecher.get("peers");
        assertArrayEquals(new byte[] {127, 0, 0, 1, 7001 >> 8, (byte) 7001}, peers);
        assertEquals(1L, leecher.get("complete"));
        assertTrue(count("t-swarm", "incomplete") == 1, "leecher stored");
        announce("127.0.0.1", "t-swarm", "seed-c", 7003, 0, "&event=started");
        assertTrue(count("t-swarm", "complete") == 2, "second seeder stored");
        Map<String, Object> seeder = announce("127.0.0.1", "t-swarm", "seed-a", 7001, 0, "");
        assertArrayEquals(new byte[] {127, 0, 0, 1, 7002 >> 8, (byte) 7002}, (byte[]) seeder.get("peers"),
                "a seeder gets only the leecher: not itself, not the other seeder");
    }

    @Test
    void completedCountsADownloadAndStoppedLeaves() throws IOException {
        announce("127.0.0.1", "t-life", "p", 7100, 10, "&event=started");
        assertTrue(count("t-life", "incomplete") == 1, "leecher");
        announce("127.0.0.1", "t-life", "p", 7100, 0, "&event=completed");
        assertTrue(count("t-life", "complete") == 1 && count("t-life", "incomplete") == 0, "became seeder");
        assertEquals(1L, scrapeOne("t-life").get("downloaded"));
        announce("127.0.0.1", "t-life", "p", 7100, 0, "&event=stopped");
        assertTrue(count("t-life", "complete") == 0, "gone");
    }

    @Test
    void ipv6AnnouncersGetPeers6WithEighteenBytesEach() throws IOException {
        announce("::1", "t-six", "v6-a", 7201, 0, "");
        assertTrue(count("t-six", "complete") == 1, "v6 seeder");
        Map<String, Object> d = announce("::1", "t-six", "v6-b", 7202, 9, "");
        assertArrayEquals(new byte[0], (byte[]) d.get("peers"));
        byte[] six = (byte[]) d.get("peers6");
        assertEquals(18, six.length);
        assertEquals(1, six[15]);
        assertEquals(7201, (six[16] & 0xff) << 8 | (six[17] & 0xff));
        Map<String, Object> v4 = announce("127.0.0.1", "t-six", "v4-c", 7203, 9, "");
        assertArrayEquals(new byte[0], (byte[]) v4.get("peers"), "IPv4 and IPv6 swarms are kept apart");
    }

    @Test
    void dictModeListsPeersWithIdsUnlessNoPeerId() throws IOException {
        announce("127.0.0.1", "t-dict", "dict-seed", 7301, 0, "");
        assertTrue(count("t-dict", "complete") == 1, "seed");
        Map<String, Object> d = announce("127.0.0.1", "t-dict", "dict-l", 7302, 5, "&compact=0");
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) ((List<?>) d.get("peers")).get(0);
        assertEquals("127.0.0.1", new String((byte[]) p.get("ip"), StandardCharsets.US_ASCII));
        assertEquals(7301L, p.get("port"));
        assertArrayEquals(id20("dict-seed"), (byte[]) p.get("peer id"));
        Map<String, Object> n = announce("127.0.0.1", "t-dict", "dict-l", 7302, 5, "&compact=0&no_peer_id=1");
        assertFalse(((Map<?, ?>) ((List<?>) n.get("peers")).get(0)).containsKey("peer id"));
    }

    @Test
    void clientMistakesGetStatus200AndAReason() throws IOException {
        RawHttp.Response r = get("127.0.0.1", "/announce?info_hash=short&peer_id=x");
        assertEquals(200, r.status());
        assertEquals("d14:failure reason42:invalid info_hash: must be 20 bytes, got 5e", r.text());
        RawHttp.Response s = get("127.0.0.1", "/scrape");
        assertTrue(s.text().startsWith("d14:failure reason"), s.text());
    }

    @Test
    void oversizedRequestsAreRefusedCleanly() throws IOException {
        RawHttp.Response r = get("127.0.0.1", "/announce?x=" + "a".repeat(20_000));
        assertTrue(r.status() >= 400 && r.status() < 500, "status " + r.status());
        RawHttp.Response h = get("127.0.0.1", "/announce?x=1", "X-Big: " + "b".repeat(40_000));
        assertTrue(h.status() >= 400 && h.status() < 500, "status " + h.status());
        // and the server still answers
        assertEquals(200, get("127.0.0.1", announceQuery("t-after", "p", 1, 1, "")).status());
    }

    @Test
    void realIpHeaderOnlyFromTrustedProxies() throws IOException {
        announce("127.0.0.9", "t-proxy", "behind-proxy", 7401, 0, "");
        RawHttp.Response viaProxy = get("127.0.0.9", announceQuery("t-proxy", "real", 7402, 0, ""),
                "X-Forwarded-For: 6.6.6.6, 198.51.100.20");
        RawHttp.Response direct = get("127.0.0.8", announceQuery("t-proxy", "spoofer", 7403, 5, ""),
                "X-Forwarded-For: 203.0.113.66");
        assertEquals(200, viaProxy.status());
        assertEquals(200, direct.status());
        assertTrue(count("t-proxy", "complete") == 2 && count("t-proxy", "incomplete") == 1, "three peers");
        Map<String, Object> d = announce("127.0.0.7", "t-proxy", "observer", 7404, 5, "&compact=0");
        List<String> ips = ((List<?>) d.get("peers")).stream()
                .map(p -> new String((byte[]) ((Map<?, ?>) p).get("ip"), StandardCharsets.US_ASCII)).sorted().toList();
        assertEquals(List.of("127.0.0.8", "127.0.0.9", "198.51.100.20"), ips);
    }

    @Test
    void scrapeReportsEveryHashKeyedByRawBytes() throws IOException {
        announce("127.0.0.1", "t-scrape", "s1", 7501, 0, "");
        assertTrue(count("t-scrape", "complete") == 1, "stored");
        Map<String, Object> d = Bencode.decodeDict(get("127.0.0.1", "/scrape?info_hash=" + pct(id20("t-scrape"))
                + "&info_hash=" + pct(id20("t-unknown"))).body());
        Map<?, ?> files = (Map<?, ?>) d.get("files");
        assertEquals(2, files.size());
        Map<?, ?> unknown = (Map<?, ?>) files.get(new String(id20("t-unknown"), StandardCharsets.ISO_8859_1));
        assertEquals(Map.of("complete", 0L, "incomplete", 0L, "downloaded", 0L), unknown);
    }

    private static long count(String torrent, String key) {
        try {
            return (Long) scrapeOne(torrent).get(key);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
