package io.swarmgate.bittorrent;

import java.nio.charset.StandardCharsets;

/** A peer's self-chosen 20-byte peer_id (BEP 3), packed like {@link InfoHash}. */
public record PeerId(long a, long b, int c) {

    public static PeerId of(byte[] bytes, int off) {
        Id20.check(bytes, off);
        return new PeerId(Id20.long0(bytes, off), Id20.long1(bytes, off), Id20.int2(bytes, off));
    }

    public static PeerId of(byte[] bytes) {
        if (bytes.length != Id20.LENGTH) {
            throw new IllegalArgumentException("peer_id must be 20 bytes, got " + bytes.length);
        }
        return of(bytes, 0);
    }

    public byte[] bytes() {
        return Id20.bytes(a, b, c);
    }

    public void writeTo(byte[] dst, int off) {
        Id20.write(a, b, c, dst, off);
    }

    /**
     * The client id that approval lists match: the Azureus-style {@code -XX1234-} prefix when the id has one,
     * else the first six bytes (Shadow style), as ISO-8859-1 text.
     */
    public String clientId() {
        byte[] b = bytes();
        if (b[0] == '-' && b[7] == '-') {
            return new String(b, 0, 8, StandardCharsets.ISO_8859_1);
        }
        return new String(b, 0, 6, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return Id20.hex(a, b, c);
    }
}
