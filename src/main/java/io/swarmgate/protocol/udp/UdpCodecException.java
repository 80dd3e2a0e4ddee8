package io.swarmgate.protocol.udp;

/**
 * A packet that is not a well-formed BEP 15 message. The only exception the decoders throw, whatever the
 * input. Cheap to throw (no stack trace), because a flood of garbage must not cost a stack walk per packet.
 * When the packet was long enough to carry a transaction id, it is kept so that a server can answer with an
 * error packet the client can match; without one, BEP 15 gives the server nothing to answer to.
 */
public final class UdpCodecException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final long NO_TRANSACTION_ID = Long.MIN_VALUE;

    private final long transactionId;

    /** A malformed packet without a transaction id. */
    public UdpCodecException(String message) {
        this(message, NO_TRANSACTION_ID);
    }

    /** A malformed packet whose transaction id could be read. */
    public UdpCodecException(String message, int transactionId) {
        this(message, (long) transactionId);
    }

    private UdpCodecException(String message, long transactionId) {
        super(message, null, false, false);
        this.transactionId = transactionId;
    }

    public boolean hasTransactionId() {
        return transactionId != NO_TRANSACTION_ID;
    }

    /** @throws IllegalStateException when the packet carried none; check {@link #hasTransactionId()} first */
    public int transactionId() {
        if (!hasTransactionId()) {
            throw new IllegalStateException("the packet carried no transaction id");
        }
        return (int) transactionId;
    }
}
