package io.swarmgate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.protocol.udp.CompactPeer;
import io.swarmgate.protocol.udp.ScrapeEntry;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.protocol.udp.UdpScrapeResponse;
import io.swarmgate.testing.RawHttp;
import io.swarmgate.testing.UdpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The guarantee of one atomic store step per announce, black-box over real sockets: once a client has the answer
 * to its announce, the very next announce or scrape from another client sees the announcer's new state — stored,
 * a seeder counting a download, or gone — with no wait in between. 1,000 rounds per frontend, each on a fresh
 * swarm (before the atomic step, the second announce missed the first in about 1 of 11 HTTP rounds).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnnounceVisibilityIT {
    private static final int ROUNDS = 1_000;
    private Swarmgate tracker;

    /** The tracker's {@code storage:} section; empty for the memory store. */
    String storage() {
        return "";
    }

    @BeforeAll
    void start() {
        tracker = Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {port: 0, host: 127.0.0.1}
                udp: {port: 0, host: 127.0.0.1}
                metrics: {enabled: false}
                """ + storage()), new SimpleMeterRegistry(), InstantSource.system());
    }

    @AfterAll
    void stop() {
        tracker.close();
    }

    private static byte[] hash(String frontend, int round) {
        byte[] h = new byte[20];
        ByteBuffer.wrap(h).put(frontend.getBytes(StandardCharsets.US_ASCII)).putInt(16, round);
        return h;
    }

    @Test
    void overHttpTheNextAnnounceSeesTheAnsweredOne() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            byte[] t = hash("http", round);
            String what = "round " + round;
            Map<String, Object> a = http(t, "peer-a", 7001, 100, "started");
            assertEquals(1L, a.get("incomplete"), what + ": the announcer counts itself");
            Map<String, Object> b = http(t, "peer-b", 7002, 100, "started");
            assertArrayEquals(new byte[] {127, 0, 0, 1, 7001 >> 8, (byte) 7001}, (byte[]) b.get("peers"),
                    what + ": b gets a");
            assertEquals(2L, b.get("incomplete"), what);

            http(t, "peer-a", 7001, 0, "completed");
            Map<String, Object> seen = http(t, "peer-b", 7002, 100, "");
            assertEquals(1L, seen.get("complete"), what + ": a is a seeder at once");
            assertEquals(1L, seen.get("incomplete"), what);
            assertEquals(Map.of("complete", 1L, "incomplete", 1L, "downloaded", 1L), scrape(t), what);

            http(t, "peer-a", 7001, 0, "stopped");
            Map<String, Object> alone = http(t, "peer-b", 7002, 100, "");
            assertArrayEquals(new byte[0], (byte[]) alone.get("peers"), what + ": a stopped, so it is not handed out");
            assertEquals(0L, alone.get("complete"), what);
            assertEquals(Map.of("complete", 0L, "incomplete", 1L, "downloaded", 1L), scrape(t), what);
        }
    }

    @Test
    void overUdpTheNextAnnounceSeesTheAnsweredOne() throws IOException {
        try (UdpClient a = new UdpClient("127.0.0.1", tracker.udpPort(), 1);
             UdpClient b = new UdpClient("127.0.0.1", tracker.udpPort(), 2)) {
            long idA = a.connect();
            long idB = b.connect();
            for (int round = 0; round < ROUNDS; round++) {
                InfoHash t = InfoHash.of(hash("udp", round));
                String what = "round " + round;
                assertEquals(1, a.announce(idA, t, 100, 2).leechers(), what + ": the announcer counts itself");
                UdpAnnounceResponse rb = b.announce(idB, t, 100, 2);
                assertEquals(List.of(new CompactPeer(IpAddress.parse("127.0.0.1"), a.port)), rb.peers(), what);
                assertEquals(2, rb.leechers(), what);

                a.announce(idA, t, 0, 1);
                UdpAnnounceResponse seen = b.announce(idB, t, 100, 0);
                assertEquals(1, seen.seeders(), what + ": a is a seeder at once");
                assertEquals(1, seen.leechers(), what);
                assertEquals(List.of(new ScrapeEntry(1, 1, 1)), b.scrape(idB, t).entries(), what);

                a.announce(idA, t, 0, 3);
                UdpAnnounceResponse alone = b.announce(idB, t, 100, 0);
                assertEquals(List.of(), alone.peers(), what + ": a stopped, so it is not handed out");
                assertEquals(0, alone.seeders(), what);
                UdpScrapeResponse s = b.scrape(idB, t);
                assertEquals(List.of(new ScrapeEntry(0, 1, 1)), s.entries(), what);
            }
        }
    }

    private Map<String, Object> http(byte[] t, String peer, int port, long left, String event)
            throws IOException {
        String query = "/announce?info_hash=" + pct(t) + "&peer_id=" + pct(id(peer)) + "&port=" + port
                + "&uploaded=0&downloaded=0&left=" + left + (event.isEmpty() ? "" : "&event=" + event);
        RawHttp.Response r = RawHttp.get(null, "127.0.0.1", tracker.httpPort(), query);
        assertEquals(200, r.status(), r::text);
        return Bencode.decodeDict(r.body());
    }

    private Map<?, ?> scrape(byte[] t) throws IOException {
        RawHttp.Response r = RawHttp.get(null, "127.0.0.1", tracker.httpPort(), "/scrape?info_hash=" + pct(t));
        Map<?, ?> files = (Map<?, ?>) Bencode.decodeDict(r.body()).get("files");
        return (Map<?, ?>) files.values().iterator().next();
    }

    private static byte[] id(String label) {
        return String.format("%-20s", label).getBytes(StandardCharsets.US_ASCII);
    }
}
