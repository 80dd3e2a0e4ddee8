package io.swarmgate.hook.accounting;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.testing.PostgresExtension;
import io.swarmgate.testing.PostgresServer;
import io.swarmgate.testing.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

import static io.swarmgate.hook.accounting.AccountingFixture.announce;
import static io.swarmgate.hook.accounting.AccountingFixture.count;
import static io.swarmgate.hook.accounting.AccountingFixture.hook;
import static io.swarmgate.hook.accounting.AccountingFixture.peer;
import static io.swarmgate.hook.accounting.AccountingFixture.stored;
import static io.swarmgate.hook.accounting.AccountingFixture.storedForSubject;
import static io.swarmgate.hook.accounting.AccountingFixture.torrent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database going away under load and coming back, rows beyond max-pending, and two tracker instances
 * adding into one database. Each test has a PostgreSQL server of its own, since some kill it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AccountingOutageIT {
    /** A server per test: the tests kill and restart it. */
    @RegisterExtension
    final PostgresExtension postgres = new PostgresExtension();
    private static final int TORRENTS = 20;
    private static final int PEERS_PER_THREAD = 50;

    /**
     * Announcing peers on a few torrents, each peer's totals growing by known steps: the test knows exactly
     * what every torrent and subject must add up to.
     */
    private static final class Load {
        final AtomicLongArray downloaded = new AtomicLongArray(TORRENTS);
        final AtomicLongArray announces = new AtomicLongArray(TORRENTS);
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        void start(AccountingHook hook, String name, int threadCount) {
            for (int t = 0; t < threadCount; t++) {
                String label = name + "-" + t;
                Thread thread = new Thread(() -> run(hook, label), "load-" + label);
                threads.add(thread);
                thread.start();
            }
        }

        private void run(AccountingHook hook, String label) {
            PeerId[] peers = new PeerId[PEERS_PER_THREAD];
            long[] totals = new long[PEERS_PER_THREAD];
            for (int i = 0; i < peers.length; i++) {
                peers[i] = peer(label + "/" + i);
            }
            Map<String, Object> claims = Map.of("sub", label);
            // bounded even if nobody says stop
            for (int round = 0; round < 2_000_000 && !stop.get(); round++) {
                int i = round % PEERS_PER_THREAD;
                int torrent = i % TORRENTS;
                InfoHash h = torrent(torrent);
                if (totals[i] == 0) {
                    announce(hook, h, peers[i], 0, 0, Event.STARTED, claims);
                    totals[i] = 1; // the next one reports 1 + step
                    announces.incrementAndGet(torrent);
                    continue;
                }
                long step = 1 + round % 7;
                totals[i] += step;
                announce(hook, h, peers[i], 0, totals[i] - 1, Event.NONE, claims);
                downloaded.addAndGet(torrent, step);
                announces.incrementAndGet(torrent);
            }
        }

        void stopAndJoin() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
                assertFalse(t.isAlive(), t.getName() + " did not stop");
            }
        }
    }

    /** Waits on a condition the flusher thread makes true, bounded. */
    private static void await(String what, Duration limit, BooleanSupplier condition) {
        Wire.eventually(what, limit, condition);
    }

    private static double counter(SimpleMeterRegistry meters, String name, String result) {
        var c = meters.find(name).tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aDatabaseKilledUnderLoadLosesNothingOnceItIsBack() throws Exception {
        PostgresServer pg = postgres.server();
        String url = pg.jdbcUrl();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Load load = new Load();
        try (AccountingHook hook = hook(url, InstantSource.system(), meters, 100_000, Duration.ofMillis(100))) {
            hook.start();
            load.start(hook, "instance", 2);
            await("flushes while the database is up", Duration.ofSeconds(30),
                    () -> counter(meters, "swarmgate.accounting.flushes", "ok") >= 3);
            pg.kill();
            double okBefore = counter(meters, "swarmgate.accounting.flushes", "ok");
            await("failed flushes while the database is down", Duration.ofSeconds(30),
                    () -> counter(meters, "swarmgate.accounting.flushes", "error") >= 3);
            assertTrue(hook.pendingRows() > 0, "rows are held while the database is away");
            pg.restart();
            await("flushes after the database came back", Duration.ofSeconds(30),
                    () -> counter(meters, "swarmgate.accounting.flushes", "ok") >= okBefore + 3);
            load.stopAndJoin();
            assertEquals(0, meters.get("swarmgate.accounting.dropped.rows").counter().count());
        } // close: the final flush writes what the last rounds added
        long total = 0;
        for (int t = 0; t < TORRENTS; t++) {
            long[] row = stored(url, torrent(t));
            assertEquals(load.downloaded.get(t), row[1], "downloaded of torrent " + t);
            assertEquals(load.announces.get(t), row[3], "announces of torrent " + t);
            total += row[1];
        }
        assertTrue(total > 0);
        long bySubjects = count(url, "SELECT sum(downloaded) FROM accounting_subject_torrent_day");
        assertEquals(total, bySubjects, "the subjects' rows add up to the torrents' rows");
    }

    @Test
    void beyondMaxPendingTheOldestRowsAreDroppedAndCounted() throws Exception {
        PostgresServer pg = postgres.server();
        String url = pg.jdbcUrl();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (AccountingHook hook = hook(url, InstantSource.system(), meters, 50, Duration.ofHours(1))) {
            assertTrue(hook.flush(), "schema created while the database is up");
            pg.kill();
            for (int t = 0; t < 30; t++) {
                announce(hook, torrent(t), peer("p" + t), 0, t + 1, Event.STARTED);
            }
            assertFalse(hook.flush(), "the database is down");
            for (int t = 30; t < 80; t++) {
                announce(hook, torrent(t), peer("p" + t), 0, t + 1, Event.STARTED);
            }
            assertEquals(50, hook.pendingRows());
            assertEquals(30, meters.get("swarmgate.accounting.dropped.rows").counter().count());
            pg.restart();
            // the batch in flight first (all of its rows were dropped meanwhile), then the 50 rows left
            await("the rows written", Duration.ofSeconds(30), () -> hook.flush() && hook.pendingRows() == 0);
        }
        assertEquals(50, count(url, "SELECT count(*) FROM accounting_torrent_day"));
        for (int t = 0; t < 30; t++) {
            assertNull(stored(url, torrent(t)), "dropped: torrent " + t);
        }
        for (int t = 30; t < 80; t++) {
            assertEquals(t + 1, stored(url, torrent(t))[1], "kept: torrent " + t);
        }
    }

    @Test
    void twoInstancesWritingIntoOneDatabaseAddUpExactly() throws Exception {
        PostgresServer pg = postgres.server();
        String url = pg.jdbcUrl();
        Load a = new Load();
        Load b = new Load();
        try (AccountingHook first = hook(url, InstantSource.system(), new SimpleMeterRegistry(), 100_000,
                Duration.ofMillis(50));
             AccountingHook second = hook(url, InstantSource.system(), new SimpleMeterRegistry(), 100_000,
                     Duration.ofMillis(50))) {
            first.start();
            second.start();
            a.start(first, "a", 1);
            b.start(second, "b", 1);
            await("both instances announced a while", Duration.ofSeconds(30),
                    () -> a.announces.get(0) > 20_000 && b.announces.get(0) > 20_000);
            a.stopAndJoin();
            b.stopAndJoin();
        }
        for (int t = 0; t < TORRENTS; t++) {
            long[] row = stored(url, torrent(t));
            assertEquals(a.downloaded.get(t) + b.downloaded.get(t), row[1], "downloaded of torrent " + t);
            assertEquals(a.announces.get(t) + b.announces.get(t), row[3], "announces of torrent " + t);
            assertEquals(a.downloaded.get(t), storedForSubject(url, "a-0", torrent(t))[1]);
            assertEquals(b.downloaded.get(t), storedForSubject(url, "b-0", torrent(t))[1]);
        }
        assertEquals(2, count(url, "SELECT count(*) FROM accounting_flushes"), "one row per instance");
    }
}
