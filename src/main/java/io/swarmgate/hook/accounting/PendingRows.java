package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.InfoHash;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
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
 * The lock is held only to update a row, to copy the claims, and to subtract them, never across I/O.
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

    /** Claims what every row holds now; an empty batch when there is nothing to write. */
    Batch claim() {
        List<Row> claimed;
        lock.lock();
        try {
            claimed = new ArrayList<>(rows.size());
            for (Row r : rows.values()) {
                r.claimedUploaded = r.uploaded;
                r.claimedDownloaded = r.downloaded;
                r.claimedCompleted = r.completed;
                r.claimedAnnounces = r.announces;
                claimed.add(r);
            }
        } finally {
            lock.unlock();
        }
        claimed.sort((a, b) -> RowKey.ORDER.compare(a.key, b.key));
        return new Batch(claimed);
    }

    /** The rows of {@code batch} to write on this attempt: dropped ones are lost (and counted), not written. */
    List<Row> toWrite(Batch batch) {
        List<Row> out = new ArrayList<>(batch.rows().size());
        lock.lock();
        try {
            for (Row r : batch.rows()) {
                if (!r.dropped) {
                    out.add(r);
                }
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    /**
     * The database committed {@code batch}: its claims leave memory. Rows with nothing left are forgotten; rows
     * that gained more meanwhile move to the end, since what they hold now is newer than the rows behind them.
     */
    void committed(Batch batch) {
        lock.lock();
        try {
            for (Row r : batch.rows()) {
                r.uploaded -= r.claimedUploaded;
                r.downloaded -= r.claimedDownloaded;
                r.completed -= r.claimedCompleted;
                r.announces -= r.claimedAnnounces;
                r.claimedUploaded = r.claimedDownloaded = r.claimedCompleted = r.claimedAnnounces = 0;
                if (r.dropped) {
                    continue;
                }
                rows.remove(r.key);
                if (r.announces > 0) {
                    rows.put(r.key, r);
                }
            }
        } finally {
            lock.unlock();
        }
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
        Totals sum = null;
        lock.lock();
        try {
            for (Row r : rows.values()) {
                if (r.key.subject() == null && r.key.infoHash().equals(infoHash)) {
                    sum = (sum == null ? Totals.ZERO : sum).plus(r.live());
                }
            }
        } finally {
            lock.unlock();
        }
        return sum;
    }

    /** What memory still holds for one subject, per torrent, all days summed; empty when nothing. */
    Map<InfoHash, Totals> subject(String subject) {
        Map<InfoHash, Totals> out = new TreeMap<>(RowKey.ORDER_OF_HASHES);
        lock.lock();
        try {
            for (Row r : rows.values()) {
                if (subject.equals(r.key.subject())) {
                    out.merge(r.key.infoHash(), r.live(), Totals::plus);
                }
            }
        } finally {
            lock.unlock();
        }
        return out;
    }
}
