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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cases that depend on the connection itself, through the tracker's own listener over raw loopback sockets:
 * IPv6 sources, a trusted proxy's real-ip header, oversized request lines. The rest of announce and scrape runs
 * both in-process and over the network in {@link TrackerRoutesCases}.
 */
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

    private static long count(String torrent, String key) {
        try {
            return (Long) scrapeOne(torrent).get(key);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
