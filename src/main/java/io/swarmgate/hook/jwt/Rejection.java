package io.swarmgate.hook.jwt;

import io.swarmgate.bittorrent.ClientError;

/**
 * Why a token was refused: the reason the client reads, and a bounded label for
 * {@code swarmgate.jwt.verifications{result=...}}. Every refusal is a client error, never an internal one.
 */
enum Rejection {
    MISSING("missing", "missing jwt"),
    MALFORMED("malformed", "malformed jwt"),
    ALGORITHM_NOT_ALLOWED("alg_not_allowed", "jwt algorithm not allowed"),
    UNKNOWN_KEY("unknown_kid", "unknown signing key"),
    BAD_SIGNATURE("bad_signature", "jwt signature invalid"),
    ISSUER_MISMATCH("issuer_mismatch", "jwt issuer mismatch"),
    AUDIENCE_MISMATCH("audience_mismatch", "jwt audience mismatch"),
    EXPIRED("expired", "jwt expired"),
    NOT_YET_VALID("not_yet_valid", "jwt not yet valid"),
    NO_EXPIRY("no_exp", "jwt has no exp"),
    WRONG_INFOHASH("wrong_infohash", "jwt not valid for this info_hash"),
    SCRAPE_NOT_COVERED("scrape_not_covered", "jwt not valid for every scraped info_hash"),
    KEYS_STALE("keys_stale", "jwt signing keys unavailable");

    private final String label;
    private final String reason;

    Rejection(String label, String reason) {
        this.label = label;
        this.reason = reason;
    }

    String label() {
        return label;
    }

    String reason() {
        return reason;
    }

    ClientError error() {
        return ClientError.unauthorized(reason);
    }
}
