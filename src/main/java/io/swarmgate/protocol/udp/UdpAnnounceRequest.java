package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;

import java.util.Objects;

/**
 * A BEP 15 announce as it was on the wire, before any policy: the tracker, not the codec, decides what an
 * unknown event, a zero port or a negative byte count mean. The ids are the packed {@link InfoHash} and
 * {@link PeerId} the tracker logic needs anyway, so decoding allocates nothing that is thrown away.
 *
 * @param event   raw BEP 15 code: 0 none, 1 completed, 2 started, 3 stopped
 * @param ipv4    the optional IPv4 address field as a 32-bit value; 0 means "use the packet's source"
 * @param key     the client's key; opaque
 * @param numWant -1 (or any negative value) asks for the tracker's default
 * @param port    0..65535
 * @param urlData BEP 41 URL data (path and query of the tracker URL, e.g. {@code /announce?jwt=...}), all
 *                URLData options concatenated and decoded as UTF-8; "" when the packet had none
 */
public record UdpAnnounceRequest(
        long connectionId,
        int transactionId,
        InfoHash infoHash,
        PeerId peerId,
        long downloaded,
        long left,
        long uploaded,
        int event,
        int ipv4,
        int key,
        int numWant,
        int port,
        String urlData) implements UdpRequest {

    public UdpAnnounceRequest {
        Objects.requireNonNull(infoHash, "infoHash");
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(urlData, "urlData");
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
    }

    @Override
    public Action action() {
        return Action.ANNOUNCE;
    }
}
