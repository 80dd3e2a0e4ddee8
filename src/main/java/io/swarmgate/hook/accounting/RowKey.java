package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.InfoHash;

import java.util.Comparator;

/**
 * One aggregated row: a torrent on a UTC day, and with a subject, that subject's share of it. {@code subject}
 * is null for the per-torrent row. Rows are written in this key order, so that two instances flushing at the
 * same time lock the same rows in the same order and cannot deadlock.
 */
record RowKey(String subject, InfoHash infoHash, int epochDay) {
    /**
     * Info_hashes in the order of their bytes, unsigned, as PostgreSQL sorts bytea. Written out rather than
     * composed with {@code Comparator.comparing(InfoHash::a, Long::compareUnsigned)...}: that boxes every word it
     * compares, and sorting a flush's ~1,000 rows with it was a third of the flusher's CPU (JFR samples).
     */
    static final Comparator<InfoHash> ORDER_OF_HASHES = RowKey::compareHashes;
    /** Subject (none first), then info_hash, then day. */
    static final Comparator<RowKey> ORDER = RowKey::compare;

    private static int compareHashes(InfoHash x, InfoHash y) {
        int c = Long.compareUnsigned(x.a(), y.a());
        if (c == 0) {
            c = Long.compareUnsigned(x.b(), y.b());
        }
        return c != 0 ? c : Integer.compareUnsigned(x.c(), y.c());
    }

    private static int compare(RowKey x, RowKey y) {
        if (x.subject != null || y.subject != null) {
            if (x.subject == null) {
                return -1;
            }
            if (y.subject == null) {
                return 1;
            }
            int c = x.subject.compareTo(y.subject);
            if (c != 0) {
                return c;
            }
        }
        int c = compareHashes(x.infoHash, y.infoHash);
        return c != 0 ? c : Integer.compare(x.epochDay, y.epochDay);
    }

    /** Spelled out (a record's own hash is unspecified), so that {@link PendingRows}' lookup probe matches it. */
    @Override
    public int hashCode() {
        return hash(subject, infoHash, epochDay);
    }

    static int hash(String subject, InfoHash infoHash, int epochDay) {
        return (31 * (subject == null ? 0 : subject.hashCode()) + infoHash.hashCode()) * 31 + epochDay;
    }
}
