package io.swarmgate.frontend.http;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.frontend.QueryString;

/**
 * The HTTP frontend's own query-to-request step, for tests outside this package (the jwt token extraction fuzz
 * test): exactly what {@code TrackerHttpService} does with a request target's raw query and its bearer token.
 */
public final class HttpAnnounceParsing {
    private static final IpAddress CLIENT = IpAddress.parse("10.0.0.1");

    private HttpAnnounceParsing() {
    }

    /** {@code rawQuery} as Helidon hands it over: after the {@code ?}, still percent-encoded. */
    public static AnnounceRequest announce(String rawQuery, String bearerToken) throws ClientError {
        return AnnounceParser.announce(QueryString.parseQuery(rawQuery), CLIENT, false, bearerToken);
    }
}
