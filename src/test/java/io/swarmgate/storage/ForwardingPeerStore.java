package io.swarmgate.storage;

import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.SwarmStats;

import java.util.List;

/** Forwards everything to a real store; tests subclass it to break or count what they need. */
public class ForwardingPeerStore implements PeerStore {
    private final PeerStore d;

    public ForwardingPeerStore(PeerStore d) {
        this.d = d;
    }

    @Override
    public void putPeer(InfoHash infoHash, Peer peer, boolean seeder) {
        d.putPeer(infoHash, peer, seeder);
    }

    @Override
    public void removePeer(InfoHash infoHash, Peer peer) {
        d.removePeer(infoHash, peer);
    }

    @Override
    public void completePeer(InfoHash infoHash, Peer peer) {
        d.completePeer(infoHash, peer);
    }

    @Override
    public List<Peer> selectPeers(InfoHash infoHash, Peer announcer, boolean announcerIsSeeder, int numWant,
                                  PeerPreference preference) {
        return d.selectPeers(infoHash, announcer, announcerIsSeeder, numWant, preference);
    }

    @Override
    public int selectPeers(InfoHash infoHash, Peer announcer, boolean announcerIsSeeder, int numWant,
                           PeerPreference preference, PeerSink sink) {
        return d.selectPeers(infoHash, announcer, announcerIsSeeder, numWant, preference, sink);
    }

    @Override
    public SwarmStats stats(InfoHash infoHash) {
        return d.stats(infoHash);
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
    public void close() {
    }
}
