package io.swarmgate.protocol.udp;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Big-endian field access whatever the buffer's own byte order (BEP 15 fields are in network order), shared by
 * {@link UdpRequests} and {@link UdpResponses}. Reads are absolute and leave the buffer untouched; writes are
 * relative and advance it.
 */
final class BigEndian {
    private BigEndian() {
    }

    /** Encoders check all the room they need before writing anything: a caller sizing bug, not a client's. */
    static void need(ByteBuffer dst, int bytes) {
        if (dst.remaining() < bytes) {
            throw new BufferOverflowException();
        }
    }

    private static boolean bigEndian(ByteBuffer b) {
        return b.order() == ByteOrder.BIG_ENDIAN;
    }

    static long getLong(ByteBuffer b, int i) {
        long v = b.getLong(i);
        return bigEndian(b) ? v : Long.reverseBytes(v);
    }

    static int getInt(ByteBuffer b, int i) {
        int v = b.getInt(i);
        return bigEndian(b) ? v : Integer.reverseBytes(v);
    }

    static int getUnsignedShort(ByteBuffer b, int i) {
        short v = b.getShort(i);
        return (bigEndian(b) ? v : Short.reverseBytes(v)) & 0xffff;
    }

    static void putLong(ByteBuffer b, long v) {
        b.putLong(bigEndian(b) ? v : Long.reverseBytes(v));
    }

    static void putInt(ByteBuffer b, int v) {
        b.putInt(bigEndian(b) ? v : Integer.reverseBytes(v));
    }

    static void putShort(ByteBuffer b, int v) {
        short s = (short) v;
        b.putShort(bigEndian(b) ? s : Short.reverseBytes(s));
    }
}
