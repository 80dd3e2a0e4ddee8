package io.swarmgate.hook;

import io.swarmgate.bittorrent.ClientError;

/**
 * A step in the tracker's request chain. The same hook type can be configured as a prehook (runs before the
 * response is filled from the store: it may refuse with a {@link ClientError}, or adjust the context, e.g.
 * the interval or the peer preference) or a posthook (runs after the response was written; errors are logged,
 * never sent). Hooks never parse bytes: they see immutable requests through the context.
 */
public interface Hook extends AutoCloseable {

    default void announce(AnnounceContext ctx) throws ClientError {
    }

    default void scrape(ScrapeContext ctx) throws ClientError {
    }

    /** Why this hook cannot serve yet (e.g. no JWK set loaded), or "" when it is ready. */
    default String notReadyReason() {
        return "";
    }

    @Override
    default void close() {
    }
}
