package io.swarmgate.hook;

import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.bittorrent.ScrapeResponse;

import java.util.Objects;

/** One scrape travelling through the chain; posthooks also see the response. */
public final class ScrapeContext {
    private final ScrapeRequest request;
    private ScrapeResponse response;

    public ScrapeContext(ScrapeRequest request) {
        this.request = Objects.requireNonNull(request);
    }

    public ScrapeRequest request() {
        return request;
    }

    public ScrapeResponse response() {
        return response;
    }

    public void response(ScrapeResponse response) {
        this.response = response;
    }
}
