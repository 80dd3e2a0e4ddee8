package io.swarmgate.storage;

import io.swarmgate.testing.Exposition;
import io.swarmgate.metrics.Meters;
import io.micrometer.core.instrument.MockClock;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.storage.memory.MemoryPeerStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Swarm gauges over a real store, read the way Prometheus reads them: through a scrape. */
class StoreMetricsTest {
    private static final Map<String, String> V4 = Map.of("address_family", "ipv4");
    private static final Map<String, String> V6 = Map.of("address_family", "ipv6");

    private final MockClock micrometerClock = new MockClock();
    private final Meters meters = Meters.create(micrometerClock);
    private final MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31),
            new MutableClock(Instant.parse("2026-01-01T00:00:00Z")), SplittableRandom::new);

    @AfterEach
    void close() {
        store.close();
        meters.close();
    }

    static Peer peer(String ip, int n) {
        return new Peer(new PeerId(1, 2, n), IpAddress.parse(ip), 6881);
    }

    private Exposition scrape() {
        return Exposition.parse(meters.registry().scrape());
    }

    @Test
    void gaugesShowSwarmsSeedersAndLeechersPerAddressFamily() {
        StoreMetrics.bind(store, meters.registry());
        InfoHash a = new InfoHash(1, 1, 1);
        InfoHash b = new InfoHash(2, 2, 2);
        StoreSteps.put(store, a, peer("10.0.0.1", 1), true);
        StoreSteps.put(store, a, peer("10.0.0.2", 2), true);
        StoreSteps.put(store, a, peer("10.0.0.3", 3), false);
        StoreSteps.put(store, b, peer("fd00::1", 4), false);

        Exposition e = scrape();
        assertEquals(2, e.value("swarmgate_swarms", Map.of()));
        assertEquals(2, e.value("swarmgate_seeders", V4));
        assertEquals(1, e.value("swarmgate_leechers", V4));
        assertEquals(0, e.value("swarmgate_seeders", V6));
        assertEquals(1, e.value("swarmgate_leechers", V6));
    }

    @Test
    void oneScrapeAsksTheStoreOnceAndTotalsRefreshAfterASecond() {
        CountingStore counting = new CountingStore(store);
        StoreMetrics.bind(counting, meters.registry());
        scrape();
        assertEquals(1, counting.totalsCalls.get(), "five gauges, one totals() call");

        StoreSteps.put(store, new InfoHash(3, 3, 3), peer("10.0.0.9", 9), true);
        assertEquals(0, scrape().value("swarmgate_seeders", V4), "still the cached totals");
        micrometerClock.add(1, TimeUnit.SECONDS);
        assertEquals(1, scrape().value("swarmgate_seeders", V4));
        assertEquals(2, counting.totalsCalls.get());
    }

    @Test
    void aFailingStoreReadsNaNUntilItRecovers() {
        CountingStore failing = new CountingStore(store);
        StoreMetrics.bind(failing, meters.registry());
        failing.fail = true;
        assertTrue(Double.isNaN(scrape().value("swarmgate_swarms", Map.of())));
        failing.fail = false;
        micrometerClock.add(1, TimeUnit.SECONDS);
        assertEquals(0, scrape().value("swarmgate_swarms", Map.of()));
    }

    /** A real store that counts totals() calls and can be made to fail like an unreachable remote store. */
    private static final class CountingStore extends io.swarmgate.storage.ForwardingPeerStore {
        final AtomicInteger totalsCalls = new AtomicInteger();
        volatile boolean fail;

        CountingStore(PeerStore delegate) {
            super(delegate);
        }

        @Override
        public StoreTotals totals() {
            totalsCalls.incrementAndGet();
            if (fail) {
                throw new IllegalStateException("connection refused");
            }
            return super.totals();
        }
    }
}
