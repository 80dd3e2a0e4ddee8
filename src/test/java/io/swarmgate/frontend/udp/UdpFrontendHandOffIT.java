package io.swarmgate.frontend.udp;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.storage.AnnounceResult;
import io.swarmgate.storage.ForwardingPeerStore;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.memory.MemoryPeerStore;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link UdpFrontendIT} with the store behind an asynchronous step, as a remote store is: the frontend then
 * answers announces from the thread that completes the step (here a virtual thread per call, as a store's
 * reply reader would), connects on the receive loop and scrapes on virtual threads. Every case must hold there.
 */
class UdpFrontendHandOffIT extends UdpFrontendIT {
    private static final Executor ELSEWHERE = task -> Thread.ofVirtual().start(task);

    @Override
    PeerStore served(MemoryPeerStore store) {
        return new ForwardingPeerStore(store) {
            @Override
            public CompletableFuture<AnnounceResult> announceAsync(InfoHash infoHash, Peer peer, Event event,
                                                                   boolean seeder, int numWant,
                                                                   PeerPreference preference, PeerSink sink) {
                return CompletableFuture.supplyAsync(
                        () -> announce(infoHash, peer, event, seeder, numWant, preference, sink), ELSEWHERE);
            }

            @Override
            public int maxInFlight() {
                return 8;
            }
        };
    }
}
