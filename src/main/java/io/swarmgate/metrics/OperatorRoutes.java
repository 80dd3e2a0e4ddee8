package io.swarmgate.metrics;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.logging.JsonStrings;

import java.nio.charset.StandardCharsets;

/**
 * Routes a component adds to the operator's listener (the metrics listener), beside /metrics and /health:
 * read-only views for operators, served under the same exposure as the metrics, never on the tracker's ports.
 * A hook that implements this gets its routes added when the metrics listener is enabled. The static helpers
 * give every such route the same JSON answers.
 */
public interface OperatorRoutes {

    void routing(HttpRules rules);

    /** A JSON body, never cached. */
    static void json(ServerResponse res, Status status, CharSequence body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"error": message}} with the status. */
    static void error(ServerResponse res, Status status, String message) {
        StringBuilder b = new StringBuilder("{\"error\":");
        JsonStrings.append(b, message).append('}');
        json(res, status, b);
    }

    /** The path's {@code hex} parameter as an info_hash, or null after answering 400 saying why. */
    static InfoHash infoHash(ServerRequest req, ServerResponse res) {
        try {
            return InfoHash.fromHex(req.path().pathParameters().get("hex"));
        } catch (IllegalArgumentException e) {
            error(res, Status.BAD_REQUEST_400, "not an info_hash (40 hex digits): " + e.getMessage());
            return null;
        }
    }
}
