package io.swarmgate.bittorrent;

/** A swarm's counts as scrape reports them (BEP 48): seeders, leechers and completed downloads. */
public record SwarmStats(int complete, int incomplete, long downloaded) {
    public static final SwarmStats EMPTY = new SwarmStats(0, 0, 0);
}
