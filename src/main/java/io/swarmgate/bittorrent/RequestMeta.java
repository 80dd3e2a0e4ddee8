package io.swarmgate.bittorrent;

import java.util.Map;
import java.util.Optional;

/**
 * What a request carried besides the protocol fields, for hooks: the frontend, the query parameters the
 * frontend did not consume itself (HTTP query or BEP 41 URL data, decoded as UTF-8, first value wins), and a
 * bearer token from an HTTP {@code Authorization} header ("" when absent).
 */
public record RequestMeta(Frontend frontend, Map<String, String> params, String bearerToken) {
    public RequestMeta {
        params = Map.copyOf(params);
        if (bearerToken == null) {
            bearerToken = "";
        }
    }

    public static RequestMeta of(Frontend frontend) {
        return new RequestMeta(frontend, Map.of(), "");
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }
}
