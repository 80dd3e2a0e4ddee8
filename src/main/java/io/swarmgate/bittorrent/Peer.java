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

    @Override
    public String toString() {
        return (ip.isIpv4() ? ip.toString() : "[" + ip + "]") + ":" + port;
    }
}
