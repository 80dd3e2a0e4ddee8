package io.swarmgate.bittorrent;

import java.util.List;

/** One scrape for one or more info_hashes; duplicates are kept as asked, the response dedupes. */
public record ScrapeRequest(List<InfoHash> infoHashes, AddressFamily family, RequestMeta meta) {
    public ScrapeRequest {
        infoHashes = List.copyOf(infoHashes);
    }
}
