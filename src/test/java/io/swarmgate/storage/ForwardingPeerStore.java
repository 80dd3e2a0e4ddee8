package io.swarmgate.storage;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.bittorrent.SwarmStats;

import java.util.Optional;

/** Forwards everything to a real store; tests subclass it to break or count what they need. */
public class ForwardingPeerStore implements PeerStore {
    private final PeerStore d;

    public ForwardingPeerStore(PeerStore d) {
        this.d = d;
    }

    @Override
    public AnnounceResult announce(InfoHash infoHash, Peer peer, Event event, boolean seeder, int numWant,
                                   PeerPreference preference, PeerSink sink) {
        return d.announce(infoHash, peer, event, seeder, numWant, preference, sink);
    }

    @Override
    public SwarmStats stats(InfoHash infoHash) {
        return d.stats(infoHash);
    }

    @Override
    public Optional<SwarmDetail> detail(InfoHash infoHash, int ipv4Prefix, int ipv6Prefix, int maxGroups) {
        return d.detail(infoHash, ipv4Prefix, ipv6Prefix, maxGroups);
    }

    @Override
    public int collectGarbage() {
        return d.collectGarbage();
    }

    @Override
    public StoreTotals totals() {
        return d.totals();
    }

    @Override
    public String notReadyReason() {
        return d.notReadyReason();
    }

    @Override
    public void close() {
    }
}
