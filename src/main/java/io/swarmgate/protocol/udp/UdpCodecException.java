package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;

/**
 * A packet that is not a well-formed BEP 15 message. The only exception the decoders throw, whatever the
 * input. Cheap to throw (no stack trace), because a flood of garbage must not cost a stack walk per packet.
 * It carries what the packet's header said, so a server needs to read no header bytes itself: the transaction id
 * when the packet was long enough to carry one (then a server can answer with an error packet the client can
 * match; without one, BEP 15 gives the server nothing to answer to), the action the header named and, for a
 * request, its connection id (which tells a server whether the sender's address is proven).
 */
public final class UdpCodecException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final long NO_TRANSACTION_ID = Long.MIN_VALUE;

    private final long transactionId;
    private final transient Action action;
    private final long connectionId;

    /** A malformed packet too short for a header: no transaction id, no action. */
    public UdpCodecException(String message) {
        this(message, null, NO_TRANSACTION_ID, 0);
    }

    /**
     * A malformed response whose header could be read (a response header has no connection id).
     *
     * @param action the action the header named; null for a code BEP 15 does not define
     */
    public UdpCodecException(String message, Action action, int transactionId) {
        this(message, action, (long) transactionId, 0);
    }

    /**
     * A malformed request whose header could be read.
     *
     * @param action the action the header named; null for a code BEP 15 does not define
     */
    public UdpCodecException(String message, Action action, int transactionId, long connectionId) {
        this(message, action, (long) transactionId, connectionId);
    }

    private UdpCodecException(String message, Action action, long transactionId, long connectionId) {
        super(message, null, false, false);
        this.action = action;
        this.transactionId = transactionId;
        this.connectionId = connectionId;
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

    /**
     * The action the packet's header named, or null when it had no header or named a code BEP 15 does not
     * define. Non-null implies {@link #hasTransactionId()}.
     */
    public Action action() {
        return action;
    }

    /** The connection id a request's header carried; 0 for a response or a packet without a header. */
    public long connectionId() {
        return connectionId;
    }
}
