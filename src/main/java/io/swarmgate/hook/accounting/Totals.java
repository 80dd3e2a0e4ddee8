package io.swarmgate.hook.accounting;

/** Summed counters of one torrent (or one subject's share of it). */
record Totals(long uploaded, long downloaded, long completed, long announces) {
    static final Totals ZERO = new Totals(0, 0, 0, 0);

    Totals plus(Totals o) {
        return new Totals(uploaded + o.uploaded, downloaded + o.downloaded, completed + o.completed,
                announces + o.announces);
    }
}
