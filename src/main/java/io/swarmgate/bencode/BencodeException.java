package io.swarmgate.bencode;

/** Malformed bencoded input. */
public final class BencodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BencodeException(String message) {
        super(message);
    }
}
