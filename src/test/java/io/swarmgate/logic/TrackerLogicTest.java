package io.swarmgate.logic;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerCollector;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.storage.memory.MemoryPeerStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The announce step with peers written through a sink, as the UDP and compact HTTP frontends use it. */
class TrackerLogicTest {
    private static final InfoHash TORRENT = new InfoHash(1, 2, 3);

    private static AnnounceRequest announce(int n, long left, Event event, int numWant) {
        return new AnnounceRequest(TORRENT, new Peer(new PeerId(n, n, n), IpAddress.parse("10.0.0." + n), 6881),
                0, 0, left, event, numWant, true, true, RequestMeta.of(Frontend.UDP));
    }

    /** Peers a sink received, as "address:port". */
    private static class Collected implements PeerSink {
        final List<String> peers = new ArrayList<>();

        @Override
        public void peer(AddressFamily family, long ipHi, long ipLo, int port,
                         long id0, long id1, int id2) {
            peers.add(new IpAddress(family, ipHi, ipLo) + ":" + port);
        }
    }

    @Test
    void sinkGetsThePeersAndTheAnswerCountsThem() throws Exception {
        List<AnnounceResponse> seenByPosthook = new ArrayList<>();
        Hook posthook = new Hook() {
            @Override
            public void announce(AnnounceContext ctx) {
                seenByPosthook.add(ctx.response());
            }
        };
        Hook refuseTen = new Hook() {
            @Override
            public void announce(AnnounceContext ctx) throws ClientError {
                if (ctx.request().peer().ip().equals(IpAddress.parse("10.0.0.10"))) {
                    throw ClientError.badRequest("not you");
                }
            }
        };
        MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(),
                SplittableRandom::new);
        try (TrackerLogic logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(refuseTen),
                List.of(posthook))) {
            Set<String> others = new HashSet<>();
            for (int n = 1; n <= 6; n++) {
                AnnounceRequest r = announce(n, n <= 2 ? 0 : 100, Event.STARTED, 50);
                logic.afterAnnounce(logic.announce(r, new Collected()));
                others.add("10.0.0." + n + ":6881");
            }
            others.remove("10.0.0.3:6881");

            Collected sink = new Collected();
            AnnounceContext answered = logic.announce(announce(3, 100, Event.NONE, 50), sink);
            AnnounceResponse answer = answered.response();
            assertEquals(Set.copyOf(others), Set.copyOf(sink.peers));
            assertEquals(Set.of("10.0.0.1:6881", "10.0.0.2:6881"), Set.copyOf(sink.peers.subList(0, 2)),
                    "seeders first");
            assertEquals(5, answer.peerCount());
            assertEquals(2, answer.complete());
            assertEquals(4, answer.incomplete());

            logic.afterAnnounce(answered);
            assertEquals(5, seenByPosthook.getLast().peerCount(), "posthooks see the count");

            Collected cut = new Collected();
            assertEquals(3, logic.announce(announce(3, 100, Event.NONE, 3), cut).response().peerCount());
            assertEquals(3, cut.peers.size());

            Collected none = new Collected();
            assertEquals(0, logic.announce(announce(3, 100, Event.STOPPED, 50), none).response().peerCount());
            assertEquals(0, logic.announce(announce(3, 100, Event.NONE, 0), none).response().peerCount());
            assertThrows(ClientError.class, () -> logic.announce(announce(10, 100, Event.NONE, 50), none));
            assertEquals(List.of(), none.peers, "no peers for a stopped, numwant=0 or refused announce");

            // as objects (HTTP's dictionary model), the same peers
            PeerCollector objects = new PeerCollector();
            assertEquals(5, logic.announce(announce(3, 100, Event.NONE, 50), objects).response().peerCount());
            assertEquals(Set.copyOf(others), Set.copyOf(objects.peers().stream().map(Peer::toString).toList()));
        }
    }

    @Test
    void numwantIsDefaultedAndCappedHereForEveryFrontend() throws Exception {
        MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(),
                SplittableRandom::new);
        try (TrackerLogic logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(), List.of())) {
            for (int n = 1; n <= 250; n++) {
                logic.announce(new AnnounceRequest(TORRENT, new Peer(new PeerId(n, n, n),
                        IpAddress.ipv4(0x0a010000 + n), 6881), 0, 0, 5, Event.STARTED, 0, true, true,
                        RequestMeta.of(Frontend.HTTP)), new Collected());
            }
            // defaults: default-numwant 50, max-numwant 200
            assertEquals(50, logic.announce(announce(1, 0, Event.NONE, -1), new Collected()).response().peerCount());
            assertEquals(200, logic.announce(announce(1, 0, Event.NONE, 100_000), new Collected()).response().peerCount());
            assertEquals(7, logic.announce(announce(1, 0, Event.NONE, 7), new Collected()).response().peerCount());
            Collected small = new Collected() {
                @Override
                public int capacity() {
                    return 10;
                }
            };
            assertEquals(10, logic.announce(announce(1, 0, Event.NONE, 100), small).response().peerCount(),
                    "never more than the sink can carry (a UDP datagram)");
            assertEquals(10, small.peers.size());
        }
    }

    /**
     * What a prehook learnt about the announcer (verified claims, which accounting bills) reaches that announce's
     * posthooks, and only that announce's, even when a frontend answers several announces before it runs their
     * posthooks.
     */
    @Test
    void posthooksSeeTheClaimsThePrehooksVerifiedForThatAnnounce() throws Exception {
        Hook claimsByPeer = new Hook() {
            @Override
            public void announce(AnnounceContext ctx) {
                if (!ctx.request().peer().ip().equals(IpAddress.parse("10.0.0.3"))) {
                    ctx.verifiedClaims(Map.of("sub", "user-" + ctx.request().peer().ip()));
                }
            }
        };
        List<String> billed = new ArrayList<>();
        Hook posthook = new Hook() {
            @Override
            public void announce(AnnounceContext ctx) {
                billed.add(ctx.request().peer().ip() + " " + ctx.verifiedClaims().getOrDefault("sub", "nobody")
                        + " " + ctx.response().incomplete());
            }
        };
        MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(),
                SplittableRandom::new);
        try (TrackerLogic logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(claimsByPeer),
                List.of(posthook))) {
            AnnounceContext first = logic.announce(announce(1, 100, Event.STARTED, 50), new Collected());
            AnnounceContext second = logic.announce(announce(2, 100, Event.STARTED, 50), new Collected());
            AnnounceContext third = logic.announce(announce(3, 100, Event.STARTED, 50), new Collected());
            logic.afterAnnounce(second);
            logic.afterAnnounce(first);
            logic.afterAnnounce(third);
            assertEquals(List.of("10.0.0.2 user-10.0.0.2 2", "10.0.0.1 user-10.0.0.1 1", "10.0.0.3 nobody 3"),
                    billed);
        }
    }
}
