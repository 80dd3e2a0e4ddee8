package io.swarmgate.bittorrent;

/**
 * A mistake or refusal the client is told about: its message is safe to send as the HTTP {@code failure reason}
 * or the UDP error text. Anything that is not a {@code ClientError} is an internal failure: logged once with
 * context, and the client only sees a generic reason. Cheap to throw: no stack trace is captured.
 */
public final class ClientError extends Exception {
    private static final long serialVersionUID = 1L;

    /** Bounded kinds, used as a metrics label (never the message text). */
    public enum Kind {
        BAD_REQUEST("bad_request"),
        UNAUTHORIZED("unauthorized"),
        UNAPPROVED("unapproved"),
        NOT_FOUND("not_found"),
        TOO_LARGE("too_large"),
        /** The tracker cannot serve right now (its store is unreachable): the client may retry later. */
        UNAVAILABLE("storage_unavailable"),
        RATE_LIMITED("rate_limited");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Kind kind;

    public ClientError(Kind kind, String reason) {
        super(reason, null, false, false);
        this.kind = kind;
    }

    public static ClientError badRequest(String reason) {
        return new ClientError(Kind.BAD_REQUEST, reason);
    }

    public static ClientError unauthorized(String reason) {
        return new ClientError(Kind.UNAUTHORIZED, reason);
    }

    public static ClientError unapproved(String reason) {
        return new ClientError(Kind.UNAPPROVED, reason);
    }

    public Kind kind() {
        return kind;
    }

    /** The text sent to the client. */
    public String reason() {
        return getMessage();
    }
}
