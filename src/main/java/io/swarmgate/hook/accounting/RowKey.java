package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.InfoHash;

import java.util.Comparator;

/**
 * One aggregated row: a torrent on a UTC day, and with a subject, that subject's share of it. {@code subject}
 * is null for the per-torrent row. Rows are written in this key order, so that two instances flushing at the
 * same time lock the same rows in the same order and cannot deadlock.
 */
record RowKey(String subject, InfoHash infoHash, int epochDay) {
    /** Info_hashes in the order of their bytes, unsigned, as PostgreSQL sorts bytea. */
    static final Comparator<InfoHash> ORDER_OF_HASHES = Comparator.comparing(InfoHash::a, Long::compareUnsigned)
            .thenComparing(InfoHash::b, Long::compareUnsigned)
            .thenComparing(InfoHash::c, Integer::compareUnsigned);
    static final Comparator<RowKey> ORDER = Comparator
            .comparing(RowKey::subject, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(RowKey::infoHash, ORDER_OF_HASHES)
            .thenComparingInt(RowKey::epochDay);

    /** Spelled out (a record's own hash is unspecified), so that {@link PendingRows}' lookup probe matches it. */
    @Override
    public int hashCode() {
        return hash(subject, infoHash, epochDay);
    }

    static int hash(String subject, InfoHash infoHash, int epochDay) {
        return (31 * (subject == null ? 0 : subject.hashCode()) + infoHash.hashCode()) * 31 + epochDay;
    }
}
