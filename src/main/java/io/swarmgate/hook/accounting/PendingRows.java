package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.InfoHash;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The aggregated rows not yet committed to the database, in the order they were created (oldest first).
 *
 * <p>A flush {@link #claim() claims} what every row holds at that moment into a {@link Batch} and writes it
 * without holding the lock; announces keep adding to the same rows meanwhile. Only once the database has
 * committed does {@link #committed} subtract the claimed amounts (and forget rows that are then empty), so a
 * failed flush loses nothing and is retried with the very same batch, and nothing is counted twice.
 *
 * <p>At most {@code maxPending} rows are held: a new row beyond that drops the oldest one, counted through
 * {@code onDrop} (a dropped row that was part of a batch in flight is left out of that batch's next attempt).
 * The lock is held only to update a row and, in chunks of {@link #CHUNK} rows, to copy the claims, subtract them
 * and read rows for an operator; never across I/O.
 */
final class PendingRows implements PeerBaselines.DeltaSink {
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<RowKey, Row> rows = new LinkedHashMap<>();
    private final int maxPending;
    private final LongConsumer onDrop;

    PendingRows(int maxPending, LongConsumer onDrop) {
        this.maxPending = maxPending;
        this.onDrop = onDrop;
    }

    static final class Row {
        final RowKey key;
        long uploaded;
        long downloaded;
        long completed;
        long announces;
        long claimedUploaded;
        long claimedDownloaded;
        long claimedCompleted;
        long claimedAnnounces;
        boolean dropped;

        private Row(RowKey key) {
            this.key = key;
        }

        Totals claimed() {
            return new Totals(claimedUploaded, claimedDownloaded, claimedCompleted, claimedAnnounces);
        }

        Totals live() {
            return new Totals(uploaded, downloaded, completed, announces);
        }
    }

    /** Rows claimed by one flush, in {@link RowKey#ORDER}. */
    record Batch(List<Row> rows) {
    }

    /**
     * A {@link RowKey} to look rows up with, reused under the lock so that an announce to an existing row
     * allocates nothing; a {@link RowKey} is made only for a new row. {@link java.util.HashMap#get} asks the
     * argument's {@code equals}, so this one may compare itself to stored keys.
     */
    private static final class Probe {
        String subject;
        InfoHash infoHash;
        int epochDay;

        Probe set(String subject, InfoHash infoHash, int epochDay) {
            this.subject = subject;
            this.infoHash = infoHash;
            this.epochDay = epochDay;
            return this;
        }

        @Override
        public int hashCode() {
            return RowKey.hash(subject, infoHash, epochDay);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RowKey k && k.epochDay() == epochDay && k.infoHash().equals(infoHash)
                    && java.util.Objects.equals(k.subject(), subject);
        }
    }

    // guarded by lock
    private final Probe probe = new Probe();

    /** Adds one announce to its torrent's row and, with a subject, to the subject's row. */
    @Override
    public void add(InfoHash infoHash, String subject, int epochDay, long uploaded, long downloaded, boolean completed) {
        lock.lock();
        try {
            addTo(probe.set(null, infoHash, epochDay), uploaded, downloaded, completed);
            if (subject != null) {
                addTo(probe.set(subject, infoHash, epochDay), uploaded, downloaded, completed);
            }
        } finally {
            lock.unlock();
        }
    }

    private void addTo(Probe key, long uploaded, long downloaded, boolean completed) {
        Row row = rows.get(key);
        if (row == null) {
            if (rows.size() >= maxPending) {
                Iterator<Row> oldest = rows.values().iterator();
                oldest.next().dropped = true;
                oldest.remove();
                onDrop.accept(1);
            }
            RowKey k = new RowKey(key.subject, key.infoHash, key.epochDay);
            row = new Row(k);
            rows.put(k, row);
        }
        row.uploaded = saturatedAdd(row.uploaded, uploaded);
        row.downloaded = saturatedAdd(row.downloaded, downloaded);
        row.completed += completed ? 1 : 0;
        row.announces++;
    }

    /** Both are non-negative: clients' totals are, and so are the deltas made of them. */
    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    /**
     * How many rows one lock hold handles when a flush or an operator read walks them all: a walk over 100,000
     * pending rows (a database down for a while) under one hold kept announces waiting 15-60 ms; in chunks each
     * wait is a fraction of a millisecond.
     */
    static final int CHUNK = 1024;

    /** The rows now, oldest first: copied under the lock (an array copy), walked outside it in chunks. */
    private List<Row> snapshot() {
        lock.lock();
        try {
            return new ArrayList<>(rows.values());
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code action} on every row of {@code all}, holding the lock for {@link #CHUNK} rows at a time. */
    private void inChunks(List<Row> all, Consumer<Row> action) {
        for (int from = 0, n = all.size(); from < n; from += CHUNK) {
            lock.lock();
            try {
                for (int i = from, end = Math.min(n, from + CHUNK); i < end; i++) {
                    action.accept(all.get(i));
                }
            } finally {
                lock.unlock();
            }
            // the lock does not queue fairly: an announce woken by that unlock would find it taken again by
            // the next chunk, so let the waiting ones through first
            for (int spins = 0; lock.hasQueuedThreads() && spins < 1_000; spins++) {
                Thread.yield();
            }
        }
    }

    /**
     * Claims what every row holds now; an empty batch when there is nothing to write. Rows created while the
     * claim walks are left for the next flush; a row dropped meanwhile is left out by {@link #toWrite}.
     */
    Batch claim() {
        List<Row> claimed = snapshot();
        inChunks(claimed, r -> {
            r.claimedUploaded = r.uploaded;
            r.claimedDownloaded = r.downloaded;
            r.claimedCompleted = r.completed;
            r.claimedAnnounces = r.announces;
        });
        claimed.sort((a, b) -> RowKey.ORDER.compare(a.key, b.key));
        return new Batch(claimed);
    }

    /** The rows of {@code batch} to write on this attempt: dropped ones are lost (and counted), not written. */
    List<Row> toWrite(Batch batch) {
        List<Row> out = new ArrayList<>(batch.rows().size());
        inChunks(batch.rows(), r -> {
            if (!r.dropped) {
                out.add(r);
            }
        });
        return out;
    }

    /**
     * The database committed {@code batch}: its claims leave memory. Rows with nothing left are forgotten; rows
     * that gained more meanwhile move to the end, since what they hold now is newer than the rows behind them.
     */
    void committed(Batch batch) {
        inChunks(batch.rows(), r -> {
            r.uploaded -= r.claimedUploaded;
            r.downloaded -= r.claimedDownloaded;
            r.completed -= r.claimedCompleted;
            r.announces -= r.claimedAnnounces;
            r.claimedUploaded = r.claimedDownloaded = r.claimedCompleted = r.claimedAnnounces = 0;
            if (r.dropped) {
                return; // no longer in the map: a row made since under the same key is another object
            }
            rows.remove(r.key);
            if (r.announces > 0) {
                rows.put(r.key, r);
            }
        });
    }

    int size() {
        lock.lock();
        try {
            return rows.size();
        } finally {
            lock.unlock();
        }
    }

    /** What memory still holds for one torrent, all days summed. */
    Totals torrent(InfoHash infoHash) {
        Totals[] sum = {null};
        inChunks(snapshot(), r -> {
            if (!r.dropped && r.key.subject() == null && r.key.infoHash().equals(infoHash)) {
                sum[0] = (sum[0] == null ? Totals.ZERO : sum[0]).plus(r.live());
            }
        });
        return sum[0];
    }

    /** What memory still holds for one subject, per torrent, all days summed; empty when nothing. */
    Map<InfoHash, Totals> subject(String subject) {
        Map<InfoHash, Totals> out = new TreeMap<>(RowKey.ORDER_OF_HASHES);
        inChunks(snapshot(), r -> {
            if (!r.dropped && subject.equals(r.key.subject())) {
                out.merge(r.key.infoHash(), r.live(), Totals::plus);
            }
        });
        return out;
    }
}
