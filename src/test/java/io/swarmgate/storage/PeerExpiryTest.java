package io.swarmgate.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.storage.memory.MemoryPeerStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peer expiry on a real store: what it removes is counted, failures are survived and counted too. */
class PeerExpiryTest {
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), clock, SplittableRandom::new);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void close() {
        scheduler.shutdownNow();
        store.close();
    }

    private static Peer peer(int n) {
        return new Peer(new PeerId(7, 7, n), IpAddress.ipv4(0x0a000000 | n), 6881);
    }

    private Timer timer(String result) {
        return registry.get(PeerExpiry.TIMER).tag("result", result).timer();
    }

    private double expired() {
        return registry.get(PeerExpiry.EXPIRED).counter().count();
    }

    @Test
    void countsThePeersThatStoppedAnnouncing() {
        PeerExpiry expiry = PeerExpiry.unscheduled(store, registry);
        InfoHash t = new InfoHash(1, 2, 3);
        StoreSteps.put(store, t, peer(1), true);
        StoreSteps.put(store, t, peer(2), false);
        clock.advance(Duration.ofMinutes(20));
        StoreSteps.put(store, t, peer(3), false);
        clock.advance(Duration.ofMinutes(12)); // peers 1 and 2 are now 32 minutes silent, peer 3 only 12

        expiry.runOnce();
        assertEquals(2, expired());
        assertEquals(1, timer("ok").count());
        assertEquals(1, store.stats(t).incomplete());

        expiry.runOnce();
        assertEquals(2, expired(), "nothing more to expire");
        assertEquals(2, timer("ok").count());
        assertEquals(0, timer("error").count());
    }

    @Test
    void aFailingPassIsCountedAndTheNextOneStillRuns() {
        boolean[] fail = {true};
        PeerStore flaky = new ForwardingPeerStore(store) {
            @Override
            public int collectGarbage() {
                if (fail[0]) {
                    throw new IllegalStateException("store unreachable");
                }
                return super.collectGarbage();
            }
        };
        PeerExpiry expiry = PeerExpiry.unscheduled(flaky, registry);
        expiry.runOnce();
        expiry.runOnce();
        assertEquals(2, timer("error").count());
        fail[0] = false;
        expiry.runOnce();
        assertEquals(1, timer("ok").count());
    }

    @Test
    void schedulesOnePassEveryIntervalUntilClosed() {
        // the scheduler is inspected, not waited on: one task, first due one interval from now, gone after close
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1);
        own.setRemoveOnCancelPolicy(true);
        try {
            PeerExpiry expiry = PeerExpiry.start(store, Duration.ofMinutes(1), own, registry);
            assertEquals(1, own.getQueue().size());
            long delay = ((ScheduledFuture<?>) own.getQueue().peek()).getDelay(TimeUnit.SECONDS);
            assertTrue(delay > 50 && delay <= 60, "first pass due in " + delay + " s");
            expiry.close();
            assertEquals(0, own.getQueue().size(), "no passes after close");
            assertEquals(0, timer("ok").count() + timer("error").count());
        } finally {
            own.shutdownNow();
        }
    }

    @Test
    void refusesANonPositiveInterval() {
        assertThrows(IllegalArgumentException.class,
                () -> PeerExpiry.start(store, Duration.ZERO, scheduler, registry));
    }
}
