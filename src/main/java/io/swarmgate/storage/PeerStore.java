package io.swarmgate.storage;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.bittorrent.SwarmStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where swarms live. Implementations are thread-safe; every one passes {@code PeerStoreContract}.
 * A peer is identified within a swarm by its address and port (what other peers connect to); its peer_id is
 * payload, replaced on re-announce. IPv4 and IPv6 peers of one info_hash form separate swarms (BEP 7) whose
 * counts {@link #stats} adds up.
 * <p><b>An announce is one atomic step</b> ({@link #announce}): the event is applied, the peers are selected and
 * the counts are read together (one lock in memory, one round trip to a remote store), so once a client has its
 * answer every later announce and scrape sees the announcer's new state. There is deliberately no separate
 * "put" or "select": two calls would let the next request overtake the first.
 */
public interface PeerStore extends AutoCloseable {

    /**
     * Applies one announce and answers it, atomically.
     * <ul>
     * <li>{@link Event#STOPPED}: the peer is removed (nothing happens if it is unknown) and no peers are
     *     selected;</li>
     * <li>{@link Event#COMPLETED}: one download is counted and the peer becomes a seeder;</li>
     * <li>otherwise the peer is added or refreshed as a seeder ({@code seeder}) or a leecher, moving between the
     *     two if it changed.</li>
     * </ul>
     * Then up to {@code numWant} peers of the announcer's address family go to {@code sink}, in the order the
     * client should try them: never the announcer itself (same address and port); a seeder gets leechers only; a
     * leecher gets seeders first, then leechers. With a preference, peers are ordered by locality tier first
     * (random within a tier) and cut after ordering; a leecher whose nearest tier holds no seeder still gets at
     * least one seeder from the nearest tier that has one. The sink may be called under the store's lock (see
     * {@link PeerSink}).
     * <p>The counts are the swarm's after the change, over both address families, <em>including the announcer</em>
     * (a stopped announcer is no longer counted): what any other client would be told at that moment.
     *
     * @throws StoreUnavailableException when a remote store cannot be reached in time; then nothing was applied
     */
    AnnounceResult announce(InfoHash infoHash, Peer peer, Event event, boolean seeder, int numWant,
                            PeerPreference preference, PeerSink sink);

    /**
     * {@link #announce}, for a caller that serves many requests per thread and must not wait on a round trip: the
     * same atomic step, answered through the returned future. A remote store completes it when the step has
     * been applied, on a thread of its own (its reply reader), and gives the sink its peers on that thread just
     * before; a failure completes it exceptionally with a {@link StoreUnavailableException} within the store's
     * timeout. The caller bounds how many it keeps in flight ({@link #maxInFlight()}). The default runs
     * {@link #announce} at once, on the caller's thread: right for a store whose calls never block.
     */
    default CompletableFuture<AnnounceResult> announceAsync(InfoHash infoHash, Peer peer, Event event,
                                                            boolean seeder, int numWant, PeerPreference preference,
                                                            PeerSink sink) {
        try {
            return CompletableFuture.completedFuture(
                    announce(infoHash, peer, event, seeder, numWant, preference, sink));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Counts over both address families; {@link SwarmStats#EMPTY} for an unknown torrent. */
    SwarmStats stats(InfoHash infoHash);

    /**
     * {@link #stats(InfoHash)} of each, in order: a scrape's. A remote store asks for them together, so a scrape
     * costs about one round trip and waits at most the store's timeout in all, not one per info_hash.
     *
     * @throws StoreUnavailableException when a remote store cannot be reached in time
     */
    default List<SwarmStats> stats(List<InfoHash> infoHashes) {
        List<SwarmStats> out = new ArrayList<>(infoHashes.size());
        for (InfoHash infoHash : infoHashes) {
            out.add(stats(infoHash));
        }
        return out;
    }

    /**
     * The swarm as an operator sees it: counts, peers grouped by rack ({@code /ipv4Prefix} and
     * {@code /ipv6Prefix} networks, at most {@code maxGroups} of them) and the completion timeline; empty for an
     * unknown torrent. Costs O(groups listed × log n), not O(n), whatever the swarm's size.
     *
     * @throws StoreUnavailableException when a remote store cannot be reached in time
     */
    Optional<SwarmDetail> detail(InfoHash infoHash, int ipv4Prefix, int ipv6Prefix, int maxGroups);

    /** Removes peers not seen for longer than the configured peer lifetime; returns how many were removed. */
    int collectGarbage();

    /** Totals for gauges and readiness. */
    StoreTotals totals();

    /**
     * How many calls this store serves at once when each waits on a network round trip (a remote store's pool
     * size); 0 for a store whose calls never block (in this process). A frontend that would otherwise handle one
     * request at a time per thread keeps up to this many in flight instead.
     */
    default int maxInFlight() {
        return 0;
    }

    /** Why the store cannot serve requests right now (a remote store that is unreachable); empty when ready. */
    default String notReadyReason() {
        return "";
    }

    @Override
    void close();
}
