package io.swarmgate.bittorrent;

/**
 * A torrent's 20-byte info_hash (BEP 3), held as three primitives so it is a cheap, allocation-light map key.
 * The first bytes are SHA-1 output, so {@link #hashCode()} of the record spreads well.
 */
public record InfoHash(long a, long b, int c) {

    /** Reads 20 bytes at {@code off}. */
    public static InfoHash of(byte[] bytes, int off) {
        Id20.check(bytes, off);
        return new InfoHash(Id20.long0(bytes, off), Id20.long1(bytes, off), Id20.int2(bytes, off));
    }

    /** Exactly 20 bytes. */
    public static InfoHash of(byte[] bytes) {
        if (bytes.length != Id20.LENGTH) {
            throw new IllegalArgumentException("info_hash must be 20 bytes, got " + bytes.length);
        }
        return of(bytes, 0);
    }

    /** 40 hex digits, either case. */
    public static InfoHash fromHex(String hex) {
        return of(Id20.parseHex(hex));
    }

    public byte[] bytes() {
        return Id20.bytes(a, b, c);
    }

    public void writeTo(byte[] dst, int off) {
        Id20.write(a, b, c, dst, off);
    }

    /** Lowercase hex, the form JWT claims and approval lists use. */
    public String hex() {
        return Id20.hex(a, b, c);
    }

    @Override
    public String toString() {
        return hex();
    }
}
