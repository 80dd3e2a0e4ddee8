package io.swarmgate.bittorrent;

/** A peer as announced: who (peer_id) and where (address, port). */
public record Peer(PeerId id, IpAddress ip, int port) {
    public Peer {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public AddressFamily family() {
        return ip.family();
    }

    /** Writes the compact form (BEP 23 / BEP 7): address then big-endian port. Returns the offset after it. */
    public int writeCompact(byte[] dst, int off) {
        int p = ip.writeTo(dst, off);
        dst[p] = (byte) (port >>> 8);
        dst[p + 1] = (byte) port;
        return p + 2;
    }

    @Override
    public String toString() {
        return (ip.isIpv4() ? ip.toString() : "[" + ip + "]") + ":" + port;
    }
}
