package io.swarmgate.hook.subnet;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerCollector;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.storage.memory.MemoryPeerStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;

import static io.swarmgate.testing.HookFixtures.announce;
import static io.swarmgate.testing.HookFixtures.hookConfig;
import static io.swarmgate.testing.HookFixtures.infoHash;
import static io.swarmgate.testing.HookFixtures.peerId;
import static io.swarmgate.testing.HookFixtures.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hook and the memory store together, through TrackerLogic: synthetic racks 127.1.1.0/24 (the announcer's
 * rack), 127.1.2.0/24 (same /16, another rack) and 127.2.0.0/16 (another data centre). The tests of tier order
 * turn the bridge rule off ({@code rack-quorum: 0}), which would otherwise stop at a rack that holds peers.
 */
class SubnetPreferenceLogicTest {
    private static final InfoHash TORRENT = infoHash(0x5eed);
    private final MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(30), InstantSource.system(),
            new SplittableRandom(1)::split);
    private TrackerLogic logic;

    @AfterEach
    void close() {
        if (logic != null) {
            logic.close();
        }
    }

    private TrackerLogic logic(String hookYaml) throws Exception {
        List<Hook> prehooks = hookYaml == null ? List.of()
                : List.of(SubnetPreferenceHook.FACTORY.create(hookConfig(hookYaml), services(null, null)));
        logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, prehooks, List.of());
        return logic;
    }

    /** Announces a peer the way a frontend would (answer, then posthooks); the peers it was handed. */
    private static List<Peer> join(TrackerLogic logic, String ip, long left, int numWant) throws Exception {
        // the store tells peers apart by address and port; the peer_id is payload
        return handout(logic, announce(TORRENT, peerId("-qB4650-"), ip, 6881, left, numWant));
    }

    /** The peers a seeder at {@code ip} is handed. */
    private static List<Peer> seeder(TrackerLogic logic, String ip, int numWant) throws Exception {
        return handout(logic, announce(TORRENT, peerId("-qB4650-seed"), ip, 6881, 0, numWant));
    }

    private static List<Peer> handout(TrackerLogic logic, AnnounceRequest request) throws Exception {
        PeerCollector peers = new PeerCollector();
        AnnounceContext answered = logic.announce(request, peers);
        logic.afterAnnounce(answered);
        assertEquals(peers.peers().size(), answered.response().peerCount(), "the answer counts what it handed out");
        return peers.peers();
    }

    /** Leechers: {@code count} addresses in {@code network} (like "127.1.2"), host numbers from {@code first}. */
    private static void leechers(TrackerLogic logic, String network, int first, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            int host = first + i;
            String ip = network.chars().filter(ch -> ch == '.').count() == 2
                    ? network + "." + host
                    : network + "." + (host / 250) + "." + (1 + host % 250);
            join(logic, ip, 1000, 0);
        }
    }

    private static int tierOf(Peer peer) {
        IpAddress ip = peer.ip();
        if (ip.sharesPrefix(IpAddress.parse("127.1.1.5"), 24)) {
            return 0;
        }
        return ip.sharesPrefix(IpAddress.parse("127.1.1.5"), 16) ? 1 : 2;
    }

    @Test
    void rackMatesFirstThenTheSameSixteenThenTheRest() throws Exception {
        TrackerLogic logic = logic("{ipv4-prefixes: [24, 16], rack-quorum: 0}");
        leechers(logic, "127.2", 0, 5);
        leechers(logic, "127.1.2", 10, 4);
        leechers(logic, "127.1.1", 10, 3);
        for (int round = 0; round < 20; round++) {
            // a seeder gets leechers only, so the order is by tier alone
            List<Peer> peers = seeder(logic, "127.1.1.5", 50);
            List<Integer> tiers = new ArrayList<>();
            peers.forEach(p -> tiers.add(tierOf(p)));
            assertEquals(List.of(0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2), tiers, "round " + round + ": " + peers);
            assertEquals(12, new HashSet<>(peers).size());
        }
    }

    /**
     * 12 of 712 peers share the announcer's rack. With the hook every one of 20 answers of 10 comes from the rack
     * alone; without it a random pick finds about 3 of them in 200, far from the 200 with it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "none", value = {"'ipv4-prefixes: [24, 16]', 200, 200", "none, 0, 29"})
    void aBigSwarmFillsNumWantFromTheRackAloneOnlyWithTheHook(String hookYaml, int least, int most) throws Exception {
        TrackerLogic logic = logic(hookYaml);
        leechers(logic, "127.2", 0, 500);
        leechers(logic, "127.1.2", 1, 200);
        leechers(logic, "127.1.1", 100, 12);
        int rackMates = 0;
        for (int round = 0; round < 20; round++) {
            List<Peer> peers = seeder(logic, "127.1.1.5", 10);
            assertEquals(10, peers.size());
            rackMates += (int) peers.stream().filter(p -> tierOf(p) == 0).count();
        }
        assertTrue(rackMates >= least && rackMates <= most, rackMates + " rack-mates in 200 peers");
    }

    @Test
    void aLeecherWhoseRackHasNoSeederStillGetsOneFromFurtherAway() throws Exception {
        TrackerLogic logic = logic("{ipv4-prefixes: [24, 16], rack-quorum: 0}");
        join(logic, "127.2.0.1", 0, 0); // the only seeder, in another data centre
        leechers(logic, "127.1.1", 100, 30);
        List<Peer> peers = join(logic, "127.1.1.5", 1000, 10);
        assertEquals(10, peers.size());
        assertTrue(peers.stream().anyMatch(p -> p.ip().equals(IpAddress.parse("127.2.0.1"))),
                "the remote seeder is offered: " + peers);
        assertEquals(9, peers.stream().filter(p -> tierOf(p) == 0).count());
    }

    @Test
    void ipv6AnnouncersAreGroupedByTheirOwnPrefixes() throws Exception {
        TrackerLogic logic = logic("{ipv6-prefixes: [64, 48], rack-quorum: 0}");
        for (int i = 1; i <= 30; i++) {
            join(logic, "2001:db8:9::" + Integer.toHexString(i), 1000, 0);   // another /48
            join(logic, "2001:db8:0:2::" + Integer.toHexString(i), 1000, 0); // same /48, another /64
        }
        for (int i = 1; i <= 4; i++) {
            join(logic, "2001:db8:0:1::" + Integer.toHexString(0x100 + i), 1000, 0); // same /64
        }
        IpAddress me = IpAddress.parse("2001:db8:0:1::5");
        List<Peer> peers = seeder(logic, me.toString(), 20);
        assertEquals(20, peers.size());
        for (int i = 0; i < peers.size(); i++) {
            IpAddress ip = peers.get(i).ip();
            int tier = ip.sharesPrefix(me, 64) ? 0 : ip.sharesPrefix(me, 48) ? 1 : 2;
            assertEquals(i < 4 ? 0 : 1, tier, "peer " + i + " of " + peers);
        }
    }
}
