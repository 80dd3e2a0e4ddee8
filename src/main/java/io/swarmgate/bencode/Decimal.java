package io.swarmgate.bencode;

import java.nio.charset.StandardCharsets;

/**
 * Numbers as ASCII decimal digits written into a byte array, without a string in between: how bencode writes
 * its integers and lengths, and how the Redis store's RESP encoder writes its numbers and lengths.
 */
public final class Decimal {
    private Decimal() {
    }

    /** How many bytes {@link #put} writes for {@code v}, its sign included. */
    public static int length(long v) {
        if (v < 0) {
            return v == Long.MIN_VALUE ? 20 : 1 + length(-v);
        }
        int d = 1;
        for (long x = v; x >= 10; x /= 10) {
            d++;
        }
        return d;
    }

    /** Writes {@code v} at {@code pos}; returns the position after it. */
    public static int put(byte[] dst, int pos, long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                byte[] text = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(text, 0, dst, pos, text.length);
                return pos + text.length;
            }
            dst[pos++] = '-';
            v = -v;
        }
        int end = pos + length(v);
        int at = end;
        do {
            dst[--at] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        return end;
    }
}
