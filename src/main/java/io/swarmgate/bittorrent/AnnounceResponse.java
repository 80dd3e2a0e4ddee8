package io.swarmgate.bittorrent;

import java.util.List;

/**
 * The answer to an announce. {@code peers} are all of the announcer's address family (BEP 7 keeps swarms
 * apart), already cut to numwant, in the order the client should try them.
 */
public record AnnounceResponse(
        int interval,
        int minInterval,
        int complete,
        int incomplete,
        List<Peer> peers) {

    public AnnounceResponse {
        peers = List.copyOf(peers);
    }
}
