package io.swarmgate.hook.accounting;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.swarmgate.hook.accounting.AccountingFixture.announce;
import static io.swarmgate.hook.accounting.AccountingFixture.count;
import static io.swarmgate.hook.accounting.AccountingFixture.hook;
import static io.swarmgate.hook.accounting.AccountingFixture.peer;
import static io.swarmgate.hook.accounting.AccountingFixture.stored;
import static io.swarmgate.hook.accounting.AccountingFixture.storedForSubject;
import static io.swarmgate.hook.accounting.AccountingFixture.torrent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The accounting hook against a real PostgreSQL: what reaches the tables, and when. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AccountingHookIT {
    private static final Duration NEVER = Duration.ofHours(1);
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private String url;

    @BeforeEach
    void freshDatabase(TestInfo test) throws Exception {
        url = PG.freshDatabase();
    }

    @Test
    void deltasAddUpAcrossAClientRestartAndAreNeverNegative() throws Exception {
        InfoHash t = torrent(1);
        try (AccountingHook hook = hook(url, clock, meters, 1000, NEVER)) {
            PeerId p = peer("restarting");
            announce(hook, t, p, 0, 0, Event.STARTED);
            announce(hook, t, p, 10, 100, Event.NONE);
            announce(hook, t, p, 25, 250, Event.NONE);
            announce(hook, t, p, 5, 50, Event.STARTED);   // the client restarted: its totals start from 0 again
            announce(hook, t, p, 8, 80, Event.NONE);
            assertTrue(hook.flush());
        }
        assertArrayEquals(new long[] {25 + 8, 250 + 80, 0, 5}, stored(url, t));
    }

    @Test
    void aRestartWhoseStartedWasLostIsSeenByTheTotalsGoingDown() throws Exception {
        InfoHash t = torrent(2);
        try (AccountingHook hook = hook(url, clock, meters, 1000, NEVER)) {
            PeerId p = peer("lost-started");
            announce(hook, t, p, 0, 0, Event.STARTED);
            announce(hook, t, p, 0, 100, Event.NONE);
            announce(hook, t, p, 0, 250, Event.NONE);
            announce(hook, t, p, 0, 50, Event.NONE);
            announce(hook, t, p, 0, 80, Event.NONE);
            assertTrue(hook.flush());
        }
        assertEquals(250 + 80, stored(url, t)[1]);
    }

    @Test
    void aPeerFirstSeenMidSessionOnlySetsItsBaseline() throws Exception {
        InfoHash t = torrent(3);
        try (AccountingHook hook = hook(url, clock, meters, 1000, NEVER)) {
            PeerId p = peer("mid-session");
            announce(hook, t, p, 0, 7000, Event.NONE);    // counted before, by another instance or run
            announce(hook, t, p, 0, 7300, Event.NONE);
            announce(hook, t, p, 0, 7400, Event.STOPPED);
            assertTrue(hook.flush());
            assertEquals(0, hook.trackedPeers(), "stopped forgets the peer");
        }
        assertArrayEquals(new long[] {0, 400, 0, 3}, stored(url, t));
    }

    @Test
    void completedCountsOncePerDownloadNotPerRetransmission() throws Exception {
        InfoHash t = torrent(4);
        try (AccountingHook hook = hook(url, clock, meters, 1000, NEVER)) {
            PeerId a = peer("a");
            PeerId b = peer("b");
            announce(hook, t, a, 0, 0, Event.STARTED);
            announce(hook, t, a, 0, 500, Event.COMPLETED);
            announce(hook, t, a, 0, 500, Event.COMPLETED); // a UDP retransmission of the same event
            announce(hook, t, b, 0, 0, Event.STARTED);
            announce(hook, t, b, 0, 500, Event.COMPLETED);
            announce(hook, t, a, 0, 0, Event.STARTED);     // a downloads it again in a new session
            announce(hook, t, a, 0, 500, Event.COMPLETED);
            assertTrue(hook.flush());
        }
        assertArrayEquals(new long[] {0, 1500, 3, 7}, stored(url, t));
    }

    @Test
    void theSubjectComesFromTheVerifiedClaimsOnly() throws Exception {
        InfoHash t = torrent(5);
        try (AccountingHook hook = hook(url, clock, meters, 1000, NEVER)) {
            announce(hook, t, peer("robot"), 0, 0, Event.STARTED, Map.of("sub", "robot-1", "iss", "r"));
            announce(hook, t, peer("robot"), 0, 64, Event.NONE, Map.of("sub", "robot-1", "iss", "r"));
            announce(hook, t, peer("anonymous"), 0, 0, Event.STARTED);
            announce(hook, t, peer("anonymous"), 0, 36, Event.NONE);
            announce(hook, t, peer("numeric-sub"), 0, 0, Event.STARTED, Map.of("sub", 42L));
            assertTrue(hook.flush());
        }
        assertArrayEquals(new long[] {0, 100, 0, 5}, stored(url, t));
        assertArrayEquals(new long[] {0, 64, 0, 2}, storedForSubject(url, "robot-1", t));
        assertEquals(1, count(url, "SELECT count(DISTINCT subject) FROM accounting_subject_torrent_day"));
    }

    @Test
    void rowsArePerUtcDayAndPeersAreForgottenWithTheirLifetime() throws Exception {
        InfoHash t = torrent(6);
        clock.advance(Duration.ofHours(11).plusMinutes(59)); // 23:59 UTC
        try (AccountingHook hook = hook(url, clock, meters, 1000, NEVER)) {
            PeerId p = peer("midnight");
            announce(hook, t, p, 0, 0, Event.STARTED);
            announce(hook, t, p, 0, 10, Event.NONE);
            clock.advance(Duration.ofMinutes(2));
            announce(hook, t, p, 0, 30, Event.NONE);
            assertTrue(hook.flush());
            assertEquals(1, hook.trackedPeers());
            clock.advance(Duration.ofMinutes(32)); // longer than the 31 min peer lifetime
            assertTrue(hook.flush());
            assertEquals(0, hook.trackedPeers(), "a peer the store forgot is forgotten here too");
        }
        assertEquals(2, count(url, "SELECT count(*) FROM accounting_torrent_day"));
        assertEquals(10, count(url, "SELECT downloaded FROM accounting_torrent_day WHERE day = '2026-03-01'"));
        assertEquals(20, count(url, "SELECT downloaded FROM accounting_torrent_day WHERE day = '2026-03-02'"));
    }

    @Test
    void aFlushRetriedAfterItsCommitAnswerWasLostIsNotAppliedTwice() throws Exception {
        try (AccountingHook hook = hook(url, clock, meters, 1000, NEVER)) {
            assertTrue(hook.flush()); // creates the schema
        }
        try (AccountingDatabase db = new AccountingDatabase(url, Duration.ofSeconds(5))) {
            PendingRows rows = new PendingRows(10, n -> { });
            rows.add(torrent(7), "s", 20_000, 1, 2, true);
            List<PendingRows.Row> batch = rows.toWrite(rows.claim());
            UUID instance = UUID.randomUUID();
            assertTrue(db.write(instance, 1, batch));
            assertFalse(db.write(instance, 1, batch), "the same flush again: already committed");
            assertTrue(db.write(instance, 2, batch));
        }
        assertArrayEquals(new long[] {2, 4, 2, 2}, stored(url, torrent(7)));
    }

    @Test
    void aFlushOfMoreRowsThanOneStatementHoldsWritesEachRowOnceAndSumsSaturate() throws Exception {
        try (AccountingHook hook = hook(url, clock, meters, 1000, NEVER)) {
            assertTrue(hook.flush()); // creates the schema
        }
        int torrents = 2 * AccountingDatabase.ROWS_PER_STATEMENT + 3; // three statements per table
        int day = (int) LocalDate.parse("2026-03-01").toEpochDay();
        try (AccountingDatabase db = new AccountingDatabase(url, Duration.ofSeconds(5))) {
            PendingRows rows = new PendingRows(3 * torrents, n -> { });
            for (int n = 1; n <= torrents; n++) {
                rows.add(torrent(1000 + n), "s" + n % 7, day, n, 2L * n, n % 2 == 0);
            }
            rows.add(torrent(1001), null, day + 1, Long.MAX_VALUE, 0, false);
            UUID instance = UUID.randomUUID();
            assertTrue(db.write(instance, 1, rows.toWrite(rows.claim())));
            assertTrue(db.write(instance, 2, rows.toWrite(rows.claim())), "the same amounts again");
        }
        long sum = (long) torrents * (torrents + 1) / 2;
        assertEquals(torrents + 1, count(url, "SELECT count(*) FROM accounting_torrent_day"));
        assertEquals(torrents, count(url, "SELECT count(*) FROM accounting_subject_torrent_day"));
        assertEquals(2 * 2 * sum, count(url, "SELECT sum(downloaded) FROM accounting_torrent_day"));
        assertEquals(2 * 2 * sum, count(url, "SELECT sum(downloaded) FROM accounting_subject_torrent_day"));
        assertEquals(2 * (torrents / 2), count(url, "SELECT sum(completed) FROM accounting_subject_torrent_day"));
        assertArrayEquals(new long[] {2 * 7, 2 * 14, 0, 2}, storedForSubject(url, "s0", torrent(1007)));
        assertEquals(Long.MAX_VALUE, count(url, "SELECT uploaded FROM accounting_torrent_day WHERE day = '2026-03-02'"),
                "a sum past the bigint maximum saturates instead of failing every later flush");
    }

    @Test
    void nothingReachesTheDatabaseBeforeAFlushAndEverythingDoesAtClose() throws Exception {
        InfoHash t = torrent(8);
        // a long interval: no scheduled flush comes first, and close's budget (two intervals) covers creating the
        // schema and writing even on a loaded machine
        AccountingHook hook = hook(url, clock, meters, 1000, Duration.ofSeconds(5));
        announce(hook, t, peer("x"), 0, 0, Event.STARTED);
        announce(hook, t, peer("x"), 0, 99, Event.NONE);
        assertEquals(1, hook.pendingRows());
        hook.close(); // what SIGTERM does, through the tracker's close
        assertArrayEquals(new long[] {0, 99, 0, 2}, stored(url, t));
        assertEquals(0, hook.pendingRows());
    }
}
