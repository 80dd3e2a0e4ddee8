package io.swarmgate.bittorrent;

import java.util.List;

/** One scrape for one or more info_hashes; duplicates are kept as asked, the response dedupes. */
public record ScrapeRequest(List<InfoHash> infoHashes, AddressFamily family, RequestMeta meta) {
    public ScrapeRequest {
        infoHashes = List.copyOf(infoHashes);
    }

    /**
     * The refusal of a scrape naming more than {@code max} info_hashes, one text for every limit: the tracker's
     * ({@code tracker.max-scrape-infohashes}, per "scrape") and a wire's (what one UDP answer can carry, per
     * "UDP scrape").
     */
    public static ClientError tooManyInfoHashes(int max, String per) {
        return new ClientError(ClientError.Kind.TOO_LARGE, "too many info_hashes: at most " + max + " per " + per);
    }
}
