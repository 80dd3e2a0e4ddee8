package io.swarmgate.storage;

import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.SwarmStats;

import java.util.ArrayList;
import java.util.List;

/**
 * Where swarms live. Implementations are thread-safe; every one passes {@code PeerStoreContract}.
 * A peer is identified within a swarm by its address and port (what other peers connect to); its peer_id is
 * payload, replaced on re-announce. IPv4 and IPv6 peers of one info_hash form separate swarms (BEP 7) whose
 * counts {@link #stats} adds up.
 */
public interface PeerStore extends AutoCloseable {

    /** Adds the peer or refreshes its last-seen time, as a seeder or a leecher (moving it if it changed). */
    void putPeer(InfoHash infoHash, Peer peer, boolean seeder);

    /** Removes the peer, whether seeder or leecher; nothing happens if it is unknown. */
    void removePeer(InfoHash infoHash, Peer peer);

    /** Counts one completed download and makes the peer a seeder. */
    void completePeer(InfoHash infoHash, Peer peer);

    /**
     * Up to {@code numWant} peers of the announcer's address family for it to connect to: never the announcer
     * itself (same address and port); a seeder gets leechers only; a leecher gets seeders first, then
     * leechers. With a preference, peers are ordered by locality tier first (random within a tier) and
     * cut after ordering; and a leecher whose nearest tier holds no seeder still gets at least one seeder from
     * the nearest tier that has one.
     */
    default List<Peer> selectPeers(InfoHash infoHash, Peer announcer, boolean announcerIsSeeder, int numWant,
                                   PeerPreference preference) {
        List<Peer> peers = new ArrayList<>(Math.min(Math.max(numWant, 0), 64));
        selectPeers(infoHash, announcer, announcerIsSeeder, numWant, preference,
                (family, ipHi, ipLo, port, id0, id1, id2) ->
                        peers.add(new Peer(new PeerId(id0, id1, id2), new IpAddress(family, ipHi, ipLo), port)));
        return peers;
    }

    /**
     * The same selection as {@link #selectPeers(InfoHash, Peer, boolean, int, PeerPreference)}, handed to
     * {@code sink} one peer at a time in the order the client should try them, with no object per peer: the
     * announce hot path, where a frontend writes peers straight into its reply.
     *
     * @return how many peers were given to the sink
     */
    int selectPeers(InfoHash infoHash, Peer announcer, boolean announcerIsSeeder, int numWant,
                    PeerPreference preference, PeerSink sink);

    /** Counts over both address families; {@link SwarmStats#EMPTY} for an unknown torrent. */
    SwarmStats stats(InfoHash infoHash);

    /** Removes peers not seen for longer than the configured peer lifetime; returns how many were removed. */
    int collectGarbage();

    /** Totals for gauges and readiness. */
    StoreTotals totals();

    /** Whether the store can serve requests (a remote store pings its server). */
    default boolean isReady() {
        return true;
    }

    @Override
    void close();
}
