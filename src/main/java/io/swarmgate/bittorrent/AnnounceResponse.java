package io.swarmgate.bittorrent;

/**
 * The answer to an announce, apart from its peers: intervals and the swarm's counts (the announcer's new state
 * included), and how many peers the answer carries. The peers themselves always went to the {@link PeerSink} the
 * frontend handed the tracker (its reply buffer, or a {@link PeerCollector}), all of the announcer's address family
 * (BEP 7 keeps swarms apart), already cut to numwant, in the order the client should try them. So the answer means
 * the same whichever frontend asked, and building it allocates nothing per peer.
 */
public record AnnounceResponse(
        int interval,
        int minInterval,
        int complete,
        int incomplete,
        int peerCount) {

    public AnnounceResponse {
        if (peerCount < 0) {
            throw new IllegalArgumentException("peerCount " + peerCount + " < 0");
        }
    }
}
