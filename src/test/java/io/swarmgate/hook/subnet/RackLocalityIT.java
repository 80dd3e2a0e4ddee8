package io.swarmgate.hook.subnet;

import io.swarmgate.Swarmgate;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A datacenter rollout over real loopback sockets: all of 127/8 is this host, so peers announce from
 * 127.1.1.x (rack A), 127.1.2.x (rack B, same /16) and 127.2.x.x (elsewhere), and each must be handed its
 * rack-mates first, and a rack that holds peers gets nothing from outside (the default bridge rule).
 */
class RackLocalityIT {
    private static Swarmgate tracker;
    @BeforeAll
    static void start() {
        tracker = SubnetHttp.start("{ipv4-prefixes: [24, 16]}");
    }

    /** A fresh swarm per test, so no test's announces change another's racks. */
    private static void populate(String torrent) throws IOException {
        // 4 leechers in rack A, 6 in rack B, 30 elsewhere; every rack has one seeder
        List<String> sources = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            sources.add("127.1.1." + i);
        }
        for (int i = 1; i <= 6; i++) {
            sources.add("127.1.2." + i);
        }
        for (int i = 1; i <= 30; i++) {
            sources.add("127.2." + i + ".1");
        }
        for (String source : sources) {
            announce(torrent, source, 100);
        }
        for (String seeder : new String[] {"127.1.1.200", "127.1.2.200", "127.2.99.200"}) {
            announce(torrent, seeder, 0);
        }
        // every answered announce is in the swarm at once: no waiting
        Map<?, ?> files = (Map<?, ?>) Bencode.decodeDict(RawHttp.get(null, "127.0.0.1", tracker.httpPort(),
                "/scrape?info_hash=" + pct(id20(torrent))).body()).get("files");
        Map<?, ?> f = (Map<?, ?>) files.values().iterator().next();
        assertEquals(40L, f.get("incomplete"));
        assertEquals(3L, f.get("complete"));
    }

    @AfterAll
    static void stop() {
        tracker.close();
    }

    private static Map<String, Object> announce(String torrent, String source, long left, String... extra)
            throws IOException {
        return SubnetHttp.announce(tracker, torrent, source, left, String.join("", extra));
    }

    private static Map<String, Object> announceUnchecked(String torrent, String source, long left, String extra) {
        try {
            return announce(torrent, source, left, extra);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> peers(Map<String, Object> d) {
        return SubnetHttp.peers(d);
    }

    @Test
    void aRackWithPeersIsServedFromWithin() throws IOException {
        populate("rollout-a");
        List<String> got = peers(announce("rollout-a", "127.1.1.50", 100, "&numwant=20"));
        // rack A: its seeder first (a leecher gets seeders first within a tier), then its 4 leechers, and
        // nothing from farther away although numwant has room: the rack already holds more than 2 peers
        assertEquals(5, got.size(), got.toString());
        assertEquals("127.1.1.200", got.get(0));
        assertTrue(got.stream().allMatch(ip -> ip.startsWith("127.1.1.")), got.toString());
    }

    @Test
    void theFirstPeerOfANewRackGetsTwoBridgesTheNearestFirst() throws IOException {
        populate("rollout-d");
        List<String> got = peers(announce("rollout-d", "127.1.3.1", 100, "&numwant=20"));
        // an empty rack: two peers from the nearest tier that has any (the /16), a seeder first
        assertEquals(2, got.size(), got.toString());
        assertTrue(got.get(0).endsWith(".200") && got.get(0).startsWith("127.1."), got.toString());
        assertTrue(got.get(1).startsWith("127.1."), got.toString());
    }

    @Test
    void aSmallNumwantIsFilledFromTheRackAlone() throws IOException {
        populate("rollout-b");
        List<String> got = peers(announce("rollout-b", "127.1.2.77", 100, "&numwant=5"));
        assertEquals(5, got.size());
        assertTrue(got.stream().allMatch(ip -> ip.startsWith("127.1.2.")), got.toString());
    }

    @Test
    void peersWithinARackComeInRandomOrder() throws IOException {
        populate("rollout-c");
        java.util.Set<List<String>> orders = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            orders.add(peers(announceUnchecked("rollout-c", "127.1.2.78", 0, "&numwant=6")));
        }
        assertTrue(orders.size() > 1, "20 answers, always the same order: " + orders);
    }
}
