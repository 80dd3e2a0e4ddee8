package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.InfoHash;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Aggregation into rows without a database (the lookup that allocates no key for an existing row). */
class PendingRowsTest {

    @Test
    void announcesAddUpPerTorrentSubjectAndDay() {
        PendingRows rows = new PendingRows(100, n -> { });
        InfoHash a = new InfoHash(1, 2, 3);
        for (int i = 0; i < 10; i++) {
            // a fresh but equal InfoHash each time, as every request carries its own
            rows.add(new InfoHash(1, 2, 3), i % 2 == 0 ? "robot-1" : null, 20_000, 10, 100, i == 0);
        }
        rows.add(a, "robot-2", 20_001, 1, 1, false);
        assertEquals(4, rows.size(), "torrent rows of two days, one per subject");
        assertEquals(new Totals(101, 1001, 1, 11), rows.torrent(a));
        assertEquals(new Totals(50, 500, 1, 5), rows.subject("robot-1").get(a));
        assertEquals(new Totals(1, 1, 0, 1), rows.subject("robot-2").get(a));
        assertNull(rows.torrent(new InfoHash(1, 2, 4)));
    }

    @Test
    void aClaimIsInKeyOrderTheSameForEveryInstance() {
        // the lock order of a flush's upserts: torrent rows first, then subjects; info_hashes by unsigned bytes
        // (as PostgreSQL sorts bytea); then days
        InfoHash low = new InfoHash(1, 0, 0);
        InfoHash high = new InfoHash(-1, 0, 0); // 0xff... first byte: last, though negative as a long
        InfoHash lowLastWord = new InfoHash(1, 0, -1);
        PendingRows rows = new PendingRows(100, n -> { });
        rows.add(high, "b", 2, 1, 1, false);
        rows.add(lowLastWord, null, 2, 1, 1, false);
        rows.add(low, "a", 3, 1, 1, false);
        rows.add(low, null, 3, 1, 1, false);
        rows.add(low, null, 2, 1, 1, false);
        assertEquals(List.of(new RowKey(null, low, 2), new RowKey(null, low, 3), new RowKey(null, lowLastWord, 2),
                        new RowKey(null, high, 2), new RowKey("a", low, 3), new RowKey("b", high, 2)),
                rows.claim().rows().stream().map(r -> r.key).toList());
    }

    @Test
    void rowsBeyondMaxPendingDropTheOldestAndAreCounted() {
        AtomicLong dropped = new AtomicLong();
        PendingRows rows = new PendingRows(3, dropped::addAndGet);
        for (int i = 0; i < 5; i++) {
            rows.add(new InfoHash(i, 0, 0), null, 1, 1, 1, false);
            rows.add(new InfoHash(i, 0, 0), null, 1, 1, 1, false);
        }
        assertEquals(3, rows.size());
        assertEquals(2, dropped.get());
        assertNull(rows.torrent(new InfoHash(0, 0, 0)), "the oldest went first");
        assertEquals(new Totals(2, 2, 0, 2), rows.torrent(new InfoHash(4, 0, 0)));
    }

    @Test
    void aFlushWalkingManyRowsInChunksWhileAnnouncesArriveCountsEachAnnounceOnce() throws Exception {
        int torrents = PendingRows.CHUNK * 5 + 7; // several lock holds per walk
        PendingRows rows = new PendingRows(torrents, n -> { });
        for (int i = 0; i < torrents; i++) {
            rows.add(new InfoHash(i, 0, 0), null, 1, 1, 0, false);
        }
        int extra = 200_000;
        Thread announcer = new Thread(() -> {
            for (int i = 0; i < extra; i++) {
                rows.add(new InfoHash(i % torrents, 0, 0), null, 1, 1, 0, false);
            }
        });
        announcer.start();
        long flushed = 0;
        int flushes = 0;
        while (announcer.isAlive() || flushes == 0) {
            PendingRows.Batch batch = rows.claim();
            for (PendingRows.Row r : rows.toWrite(batch)) {
                flushed += r.claimed().announces();
            }
            rows.committed(batch);
            flushes++;
        }
        announcer.join();
        long left = 0;
        for (int i = 0; i < torrents; i++) {
            Totals t = rows.torrent(new InfoHash(i, 0, 0));
            left += t == null ? 0 : t.announces();
        }
        assertEquals(torrents + extra, flushed + left, "flushed and still pending, after " + flushes + " flushes");
    }
}
