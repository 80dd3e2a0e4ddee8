package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.IpAddress;

import java.util.Objects;

/** A peer as an announce response carries it: address and port, no peer_id (BEP 15, BEP 23). */
public record CompactPeer(IpAddress ip, int port) {
    public CompactPeer {
        Objects.requireNonNull(ip, "ip");
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
    }

    @Override
    public String toString() {
        return (ip.isIpv4() ? ip.toString() : "[" + ip + "]") + ":" + port;
    }
}
