package io.swarmgate.bittorrent;

import java.util.Map;

/** Counts per requested info_hash, in request order (an unknown torrent has all-zero counts). */
public record ScrapeResponse(Map<InfoHash, SwarmStats> files) {
    public ScrapeResponse {
        files = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(files));
    }
}
