package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.AddressFamily;

import java.util.List;
import java.util.Objects;

/**
 * The answer to an announce. BEP 15 has no family marker in the packet: peers are 6 bytes (IPv4) or 18 bytes
 * (IPv6) according to the family the request arrived over, so {@code family} travels beside the bytes and every
 * peer must be of it.
 */
public record UdpAnnounceResponse(int transactionId, int interval, int leechers, int seeders,
                                  AddressFamily family, List<CompactPeer> peers) implements UdpResponse {

    public UdpAnnounceResponse {
        Objects.requireNonNull(family, "family");
        peers = List.copyOf(peers);
        for (CompactPeer p : peers) {
            if (p.ip().family() != family) {
                throw new IllegalArgumentException("peer " + p + " is not " + family.label());
            }
        }
    }

    @Override
    public Action action() {
        return Action.ANNOUNCE;
    }
}
