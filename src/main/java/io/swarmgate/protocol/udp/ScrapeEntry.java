package io.swarmgate.protocol.udp;

/** One torrent's counts in a scrape response, in wire order: seeders, completed downloads, leechers. */
public record ScrapeEntry(int seeders, int completed, int leechers) {
}
