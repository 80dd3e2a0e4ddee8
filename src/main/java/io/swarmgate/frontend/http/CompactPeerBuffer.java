package io.swarmgate.frontend.http;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.PeerSink;

import java.nio.ByteBuffer;

/**
 * Collects one compact announce's peers as the store selects them, 6 bytes (BEP 23) or 18 bytes (BEP 7) each,
 * address then big-endian port: one array per answer instead of an object per peer. Peers of another family
 * than the announcer's cannot go into its string, so they are left out (the store selects none).
 */
final class CompactPeerBuffer implements PeerSink {
    /** Room for the default numwant (50) at first; grows for larger answers. */
    private static final int INITIAL_PEERS = 50;

    private final AddressFamily family;
    private ByteBuffer bytes;

    CompactPeerBuffer(AddressFamily family) {
        this.family = family;
        this.bytes = ByteBuffer.allocate(INITIAL_PEERS * family.compactLength()); // big-endian, as the wire wants
    }

    @Override
    public void peer(AddressFamily peerFamily, long ipHi, long ipLo, int port, long id0, long id1, int id2) {
        if (peerFamily != family) {
            return;
        }
        if (bytes.remaining() < family.compactLength()) {
            bytes = ByteBuffer.allocate(bytes.capacity() * 2).put(bytes.flip());
        }
        if (family == AddressFamily.IPV4) {
            bytes.putInt((int) ipLo);
        } else {
            bytes.putLong(ipHi).putLong(ipLo);
        }
        bytes.putShort((short) port);
    }

    /** The array behind the peers written so far; they fill its first {@link #length()} bytes. */
    byte[] array() {
        return bytes.array();
    }

    int length() {
        return bytes.position();
    }
}
