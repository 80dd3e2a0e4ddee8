package io.swarmgate.bittorrent;

/**
 * Receives the peers a store selects, one call per peer, as the packed fields a store keeps: so a frontend can
 * write them straight into its reply (6 or 18 bytes each, BEP 15 / BEP 23 / BEP 7) and no object is built per
 * peer.
 * <p>A store may call the sink while it holds a lock on the swarm: a sink must be quick, must not block, and
 * must never call back into the store. Calls come from the thread that asked for the selection, or, for an
 * asynchronous store step, from the thread that completes it, before it completes.
 */
@FunctionalInterface
public interface PeerSink {

    /**
     * One selected peer.
     *
     * @param family the peer's address family, always the announcer's
     * @param ipHi   the upper 64 address bits of an IPv6 address; 0 for IPv4
     * @param ipLo   the lower 64 address bits of an IPv6 address; an IPv4 address in the low 32 bits
     * @param port   0..65535
     * @param id0    peer_id bytes 0-7, big-endian (as {@link io.swarmgate.bittorrent.PeerId#a()})
     * @param id1    peer_id bytes 8-15
     * @param id2    peer_id bytes 16-19
     */
    void peer(AddressFamily family, long ipHi, long ipLo, int port, long id0, long id1, int id2);

    /**
     * The most peers this sink can carry, for a reply whose wire format bounds it (a UDP answer must fit one
     * datagram); the tracker never selects more than this.
     */
    default int capacity() {
        return Integer.MAX_VALUE;
    }
}
