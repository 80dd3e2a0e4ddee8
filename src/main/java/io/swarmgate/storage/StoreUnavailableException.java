package io.swarmgate.storage;

/**
 * A remote store could not be asked in time (down, slow, unreachable). The operation was not applied. The
 * tracker answers the client {@code storage unavailable}; the message (for the log) names the store and cause.
 */
public final class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
