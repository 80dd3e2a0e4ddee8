package io.swarmgate.bittorrent;

import java.util.HexFormat;

/**
 * Packs 20 wire bytes into three primitives, so that {@link InfoHash} and {@link PeerId} are cheap map keys:
 * equality is three comparisons and there is no array to allocate, copy or defensively clone.
 */
final class Id20 {
    static final int LENGTH = 20;
    private static final HexFormat HEX = HexFormat.of();

    private Id20() {
    }

    static long long0(byte[] b, int off) {
        return readLong(b, off);
    }

    static long long1(byte[] b, int off) {
        return readLong(b, off + 8);
    }

    static int int2(byte[] b, int off) {
        return (b[off + 16] & 0xff) << 24 | (b[off + 17] & 0xff) << 16 | (b[off + 18] & 0xff) << 8 | (b[off + 19] & 0xff);
    }

    static void check(byte[] b, int off) {
        if (off < 0 || b.length - off < LENGTH) {
            throw new IllegalArgumentException("need 20 bytes at offset " + off + ", have " + (b.length - off));
        }
    }

    static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    static void write(long a, long b, int c, byte[] dst, int off) {
        for (int i = 0; i < 8; i++) {
            dst[off + i] = (byte) (a >>> (56 - 8 * i));
            dst[off + 8 + i] = (byte) (b >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            dst[off + 16 + i] = (byte) (c >>> (24 - 8 * i));
        }
    }

    static byte[] bytes(long a, long b, int c) {
        byte[] out = new byte[LENGTH];
        write(a, b, c, out, 0);
        return out;
    }

    static String hex(long a, long b, int c) {
        return HEX.formatHex(bytes(a, b, c));
    }

    static byte[] parseHex(String hex) {
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("expected 40 hex digits, got " + hex.length() + " characters");
        }
        return HEX.parseHex(hex);
    }
}
