package io.swarmgate.bittorrent;

import java.util.List;

/**
 * The answer to an announce. Its peers are all of the announcer's address family (BEP 7 keeps swarms apart),
 * already cut to numwant, in the order the client should try them. {@code peerCount} says how many the answer
 * carries; {@code peers} holds them as objects only when the frontend asked for objects, and is empty when the
 * store wrote them straight into the frontend's reply buffer (the UDP and compact HTTP hot path).
 */
public record AnnounceResponse(
        int interval,
        int minInterval,
        int complete,
        int incomplete,
        List<Peer> peers,
        int peerCount) {

    public AnnounceResponse {
        peers = List.copyOf(peers);
        if (peerCount < 0 || (!peers.isEmpty() && peers.size() != peerCount)) {
            throw new IllegalArgumentException("peerCount " + peerCount + " does not match " + peers.size()
                    + " peers");
        }
    }

    /** An answer carrying these peer objects. */
    public AnnounceResponse(int interval, int minInterval, int complete, int incomplete, List<Peer> peers) {
        this(interval, minInterval, complete, incomplete, peers, peers.size());
    }
}
