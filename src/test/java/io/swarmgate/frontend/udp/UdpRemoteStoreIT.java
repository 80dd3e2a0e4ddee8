package io.swarmgate.frontend.udp;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.config.RedisConfig;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.config.UdpConfig;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.protocol.udp.UdpErrorResponse;
import io.swarmgate.protocol.udp.UdpRequests;
import io.swarmgate.protocol.udp.UdpResponse;
import io.swarmgate.storage.AnnounceResult;
import io.swarmgate.storage.ForwardingPeerStore;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.memory.MemoryPeerStore;
import io.swarmgate.storage.redis.RedisPeerStore;
import io.swarmgate.testing.RedisServers;
import io.swarmgate.testing.UdpClient;
import io.swarmgate.testing.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The UDP frontend with a remote store, where announces are answered asynchronously (no thread per packet): the
 * in-flight bound holds, and a store that does not answer costs an announce at most the timeout.
 */
class UdpRemoteStoreIT {
    private static final String SECRET = "remote-store-test-secret-0123456789";
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private UdpFrontend start(PeerStore store) throws IOException {
        TrackerLogic logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(), List.of());
        UdpConfig config = new UdpConfig(true, "127.0.0.1", 0, 1, SECRET, Duration.ofSeconds(10), false);
        UdpFrontend frontend = new UdpFrontend(config, logic, new RequestMetrics(new SimpleMeterRegistry()),
                InstantSource.system());
        toClose.add(store);
        toClose.add(frontend);
        frontend.start();
        return frontend;
    }

    /**
     * A memory store whose asynchronous steps wait until the test lets them through, one at a time, as a remote
     * store whose replies are slow would: it counts how many were started and not yet answered.
     */
    private static final class GatedStore extends ForwardingPeerStore {
        final int maxInFlight;
        final LinkedBlockingQueue<Runnable> waiting = new LinkedBlockingQueue<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();

        GatedStore(PeerStore store, int maxInFlight) {
            super(store);
            this.maxInFlight = maxInFlight;
        }

        @Override
        public CompletableFuture<AnnounceResult> announceAsync(InfoHash infoHash, Peer peer, Event event,
                                                               boolean seeder, int numWant,
                                                               PeerPreference preference, PeerSink sink) {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<AnnounceResult> answer = new CompletableFuture<>();
            waiting.add(() -> {
                inFlight.decrementAndGet();
                answer.complete(announce(infoHash, peer, event, seeder, numWant, preference, sink));
            });
            return answer;
        }

        @Override
        public int maxInFlight() {
            return maxInFlight;
        }
    }

    @Test
    void atMostPoolSizeAnnouncesAreInFlightAndTheRestWaitInTheSocketBuffer() throws Exception {
        int poolSize = 4;
        int announces = 20;
        GatedStore store = new GatedStore(new MemoryPeerStore(Duration.ofMinutes(30), InstantSource.system(),
                SplittableRandom::new),
                poolSize);
        UdpFrontend frontend = start(store);
        try (UdpClient client = new UdpClient("127.0.0.1", frontend.port(), 1)) {
            long id = client.connect();
            InfoHash t = InfoHash.fromHex("dddddddddddddddddddddddddddddddddddddddd");
            Set<Integer> transactions = new HashSet<>();
            ByteBuffer out = ByteBuffer.allocate(256);
            for (int i = 0; i < announces; i++) { // one client, several ports: 20 peers of one swarm
                UdpAnnounceRequest r = client.announceRequest(id, t, 100, 50, 7000 + i, "");
                transactions.add(r.transactionId());
                out.clear();
                UdpRequests.encode(out, r);
                client.socket.send(new DatagramPacket(out.array(), out.position(), client.tracker));
            }
            // the receive loop fills every slot before the first reply is let through: then pool-size are in flight
            Wire.eventually("pool-size announces reached the store", () -> store.waiting.size() == poolSize);
            Set<Integer> answered = new HashSet<>();
            int leechersSeenLast = 0;
            while (answered.size() < announces) {
                Runnable next = store.waiting.poll(10, TimeUnit.SECONDS);
                assertNotNull(next, "an announce reached the store (answered so far: " + answered.size() + ")");
                next.run();
                UdpAnnounceResponse a = assertInstanceOf(UdpAnnounceResponse.class, client.receive(5_000));
                answered.add(a.transactionId());
                leechersSeenLast = a.leechers();
            }
            assertEquals(transactions, answered, "every announce answered once");
            assertEquals(poolSize, store.mostInFlight.get(), "the store had pool-size announces at once, never more");
            assertEquals(announces, leechersSeenLast, "the last one counts all of them");
        }
    }

    @Test
    void aStoreThatDoesNotAnswerCostsAnAnnounceAtMostTheTimeout() throws Exception {
        long timeoutMillis = 300;
        RedisServers redis = RedisServers.single();
        toClose.add(redis);
        RedisServers.Node node = redis.nodes().getFirst();
        RedisPeerStore store = new RedisPeerStore(new RedisConfig(redis.uri(), false, Duration.ofMillis(timeoutMillis),
                8), Duration.ofMinutes(30), InstantSource.system());
        UdpFrontend frontend = start(store);
        try (UdpClient client = new UdpClient("127.0.0.1", frontend.port(), 1)) {
            long id = client.connect();
            InfoHash t = InfoHash.fromHex("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
            assertEquals(1, client.announce(id, t, 100, 2).leechers(), "served while Redis answers");

            redis.pause(node);
            try {
                for (int i = 0; i < 3; i++) {
                    long start = System.nanoTime();
                    UdpResponse r = client.exchange(client.announceRequest(id, t, 100, 50, client.port, ""));
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertEquals(TrackerLogic.STORAGE_UNAVAILABLE,
                            assertInstanceOf(UdpErrorResponse.class, r).message());
                    assertTrue(millis >= timeoutMillis - 5, "failed after " + millis + " ms: before the timeout");
                    assertTrue(millis < timeoutMillis + 500, "failed only after " + millis + " ms");
                }
            } finally {
                redis.resume(node);
            }
            assertEquals(1, client.announce(id, t, 100, 2).leechers(), "served again once Redis answers");
        }
    }
}
