package io.swarmgate.bittorrent;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PeerSink} that keeps the selected peers as objects, in the order the store handed them out: for an
 * answer that needs each peer's id and address as values (HTTP's dictionary model, BEP 3) rather than bytes, and
 * for tests. The hot paths (UDP, compact HTTP) write peers straight into their reply bytes instead.
 */
public final class PeerCollector implements PeerSink {
    private final List<Peer> peers = new ArrayList<>();
    private final int capacity;

    /** A collector without a bound of its own (the tracker's max-numwant still applies). */
    public PeerCollector() {
        this(Integer.MAX_VALUE);
    }

    /** A collector that carries at most {@code capacity} peers, as a reply bounded by its wire would. */
    public PeerCollector(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity " + capacity + " < 0");
        }
        this.capacity = capacity;
    }

    @Override
    public void peer(AddressFamily family, long ipHi, long ipLo, int port, long id0, long id1, int id2) {
        peers.add(new Peer(new PeerId(id0, id1, id2), new IpAddress(family, ipHi, ipLo), port));
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** The peers collected so far, in hand-out order (a read-only view). */
    public List<Peer> peers() {
        return java.util.Collections.unmodifiableList(peers);
    }
}
