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

import io.swarmgate.concurrent.Burst;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.protocol.udp.UdpRequests;
import io.swarmgate.protocol.udp.UdpResponse;
import io.swarmgate.testing.UdpClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UdpFrontendIT} with the store behind an asynchronous step, as a remote store is: the frontend then
 * answers announces from the thread that completes the step (here a virtual thread per call, as a store's
 * reply reader would), connects on the receive loop and scrapes on virtual threads. Every case must hold there.
 */
class UdpFrontendHandOffIT extends UdpFrontendIT {
    private static final Executor ELSEWHERE = task -> Thread.ofVirtual().start(task);

    private static final int IN_FLIGHT = 8;
    /**
     * Whether the store's steps start only at the end of the calling thread's burst, as the Redis store's
     * pipeline writes a receive batch's calls then.
     */
    private boolean atBurstEnd;
    private final ConcurrentLinkedQueue<Runnable> unwritten = new ConcurrentLinkedQueue<>();
    private final Runnable write = () -> {
        for (Runnable r; (r = unwritten.poll()) != null; ) {
            ELSEWHERE.execute(r);
        }
    };

    @Override
    PeerStore served(MemoryPeerStore store) {
        return new ForwardingPeerStore(store) {
            @Override
            public CompletableFuture<AnnounceResult> announceAsync(InfoHash infoHash, Peer peer, Event event,
                                                                   boolean seeder, int numWant,
                                                                   PeerPreference preference, PeerSink sink) {
                if (!atBurstEnd) {
                    return CompletableFuture.supplyAsync(
                            () -> announce(infoHash, peer, event, seeder, numWant, preference, sink), ELSEWHERE);
                }
                CompletableFuture<AnnounceResult> step = new CompletableFuture<>();
                unwritten.add(() -> step.complete(announce(infoHash, peer, event, seeder, numWant, preference, sink)));
                Burst.once(write);
                return step;
            }

            @Override
            public int maxInFlight() {
                return IN_FLIGHT;
            }
        };
    }

    /**
     * A receive batch of more announces than there are handlers, with a store that starts its steps at the
     * batch's end: before the receive loop waits for a free handler it must let the batch's steps go, since
     * only their completions free one. Every announce is answered.
     */
    @Test
    void moreAnnouncesInOneBatchThanHandlersAreAllAnsweredWhenTheStoreStartsItsStepsAtTheBatchsEnd()
            throws Exception {
        atBurstEnd = true;
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        extraPrehook = holdsFirstAnnounce(holding, release); // holds the one receive loop
        start("127.0.0.1", 1, false, TrackerConfig.DEFAULTS); // one worker: IN_FLIGHT handlers
        UdpClient first = client("127.0.0.1");
        long firstId = first.connect();
        UdpClient c = client("127.0.0.1");
        long id = c.connect(); // before the loop is held
        CompletableFuture<UdpAnnounceResponse> held = CompletableFuture.supplyAsync(() -> {
            try {
                return first.announce(firstId, TORRENT, 5, 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        // while the loop is held, 3x the handlers' announces queue up in the socket: one batch once released
        int n = 3 * IN_FLIGHT;
        Set<Integer> sent = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ByteBuffer out = ByteBuffer.allocate(512);
            UdpAnnounceRequest request = c.announceRequest(id, TORRENT, 5, 10, 6881, "");
            UdpRequests.encode(out, request);
            sent.add(request.transactionId());
            c.sendRaw(Arrays.copyOf(out.array(), out.position()));
        }
        release.countDown();
        Set<Integer> answered = new HashSet<>();
        for (int i = 0; i < n; i++) {
            UdpResponse r = c.receive(5000);
            assertInstanceOf(UdpAnnounceResponse.class, r, r::toString);
            answered.add(r.transactionId());
        }
        assertEquals(sent, answered);
        assertEquals(1800, held.get(10, TimeUnit.SECONDS).interval());
    }
}
