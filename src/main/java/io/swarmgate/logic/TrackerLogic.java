package io.swarmgate.logic;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.bittorrent.ScrapeResponse;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.ScrapeContext;
import io.swarmgate.storage.PeerSink;
import io.swarmgate.storage.PeerStore;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place a request becomes an answer, whichever frontend parsed it: configured prehooks in order, then
 * the built-in response step that fills counts and peers from the store. After the frontend has written the
 * answer it calls {@link #afterAnnounce}: posthooks, then the built-in swarm update, so the store write is off
 * the request's critical path. Frontends never touch the store.
 */
public final class TrackerLogic implements AutoCloseable {
    private static final Logger LOG = System.getLogger(TrackerLogic.class.getName());

    private final TrackerConfig config;
    private final PeerStore store;
    private final List<Hook> prehooks;
    private final List<Hook> posthooks;
    /**
     * The prehooks' context of the announce this thread is serving, so that its posthooks see what the
     * prehooks learnt (verified claims). Both frontends call {@link #afterAnnounce} on the thread that called
     * {@code announce}, before that thread's next announce; a context for another request is not used.
     */
    private final ThreadLocal<AnnounceContext> forPosthooks = new ThreadLocal<>();

    public TrackerLogic(TrackerConfig config, PeerStore store, List<Hook> prehooks, List<Hook> posthooks) {
        this.config = config;
        this.store = store;
        this.prehooks = List.copyOf(prehooks);
        this.posthooks = List.copyOf(posthooks);
    }

    public TrackerConfig config() {
        return config;
    }

    /**
     * Runs the prehooks and fills the answer, with the peers as objects (for answers that need peer_ids or
     * text, such as HTTP's dictionary model). The announcer is not in the counts or peers of its own answer
     * until {@link #afterAnnounce} has stored it.
     *
     * @throws ClientError when a prehook refuses the announce
     */
    public AnnounceResponse announce(AnnounceRequest request) throws ClientError {
        AnnounceContext ctx = prehooks(request);
        List<Peer> peers = wantsPeers(request)
                ? store.selectPeers(request.infoHash(), request.peer(), request.isSeeder(), request.numWant(),
                ctx.preference())
                : List.of();
        SwarmStats stats = store.stats(request.infoHash());
        return new AnnounceResponse(ctx.interval(), ctx.minInterval(), stats.complete(), stats.incomplete(), peers);
    }

    /**
     * Like {@link #announce(AnnounceRequest)}, but the peers go to {@code sink} as the store selects them, before
     * this returns, and the answer only counts them ({@link AnnounceResponse#peerCount()}, empty
     * {@code peers}): the hot path, where a frontend writes them straight into its reply. The sink runs under the
     * store's lock (see {@link PeerSink}). Nothing reaches the sink when a prehook refuses.
     *
     * @throws ClientError when a prehook refuses the announce
     */
    public AnnounceResponse announce(AnnounceRequest request, PeerSink sink) throws ClientError {
        AnnounceContext ctx = prehooks(request);
        int written = wantsPeers(request)
                ? store.selectPeers(request.infoHash(), request.peer(), request.isSeeder(), request.numWant(),
                ctx.preference(), sink)
                : 0;
        SwarmStats stats = store.stats(request.infoHash());
        return new AnnounceResponse(ctx.interval(), ctx.minInterval(), stats.complete(), stats.incomplete(),
                List.of(), written);
    }

    private AnnounceContext prehooks(AnnounceRequest request) throws ClientError {
        AnnounceContext ctx = new AnnounceContext(request, config.intervalSeconds(), config.minIntervalSeconds());
        for (Hook hook : prehooks) {
            hook.announce(ctx);
        }
        if (!posthooks.isEmpty()) {
            forPosthooks.set(ctx);
        }
        return ctx;
    }

    private static boolean wantsPeers(AnnounceRequest request) {
        return request.event() != Event.STOPPED && request.numWant() > 0;
    }

    /**
     * Posthooks, then the swarm update: stopped removes the peer; completed counts a download and makes it a
     * seeder; otherwise it is stored as seeder (left=0) or leecher. Never throws: failures are logged.
     */
    public void afterAnnounce(AnnounceRequest request, AnnounceResponse response) {
        if (!posthooks.isEmpty()) {
            AnnounceContext ctx = forPosthooks.get();
            forPosthooks.remove();
            if (ctx == null || ctx.request() != request) {
                ctx = new AnnounceContext(request, response.interval(), response.minInterval());
            }
            ctx.response(response);
            for (Hook hook : posthooks) {
                try {
                    hook.announce(ctx);
                } catch (ClientError | RuntimeException e) {
                    LOG.log(Level.WARNING, "posthook " + hook.getClass().getSimpleName() + " failed for "
                            + request.infoHash() + ": " + e);
                }
            }
        }
        updateSwarm(request);
    }

    private void updateSwarm(AnnounceRequest request) {
        InfoHash infoHash = request.infoHash();
        Peer peer = request.peer();
        try {
            switch (request.event()) {
                case STOPPED -> store.removePeer(infoHash, peer);
                case COMPLETED -> store.completePeer(infoHash, peer);
                default -> store.putPeer(infoHash, peer, request.isSeeder());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "store update failed for " + infoHash + " peer " + peer + ": " + e, e);
        }
    }

    /**
     * @throws ClientError when a prehook refuses, or more info_hashes were asked than allowed
     */
    public ScrapeResponse scrape(ScrapeRequest request) throws ClientError {
        if (request.infoHashes().size() > config.maxScrapeInfoHashes()) {
            throw new ClientError(ClientError.Kind.TOO_LARGE, "too many info_hashes: at most "
                    + config.maxScrapeInfoHashes() + " per scrape");
        }
        ScrapeContext ctx = new ScrapeContext(request);
        for (Hook hook : prehooks) {
            hook.scrape(ctx);
        }
        Map<InfoHash, SwarmStats> files = new LinkedHashMap<>();
        for (InfoHash infoHash : request.infoHashes()) {
            files.computeIfAbsent(infoHash, store::stats);
        }
        return new ScrapeResponse(files);
    }

    /** Posthooks for a scrape; never throws. */
    public void afterScrape(ScrapeRequest request, ScrapeResponse response) {
        if (posthooks.isEmpty()) {
            return;
        }
        ScrapeContext ctx = new ScrapeContext(request);
        ctx.response(response);
        for (Hook hook : posthooks) {
            try {
                hook.scrape(ctx);
            } catch (ClientError | RuntimeException e) {
                LOG.log(Level.WARNING, "posthook " + hook.getClass().getSimpleName() + " failed on scrape: " + e);
            }
        }
    }

    /** Reasons the chain cannot serve yet, one per hook that is not ready; empty when ready. */
    public List<String> notReadyReasons() {
        return java.util.stream.Stream.concat(prehooks.stream(), posthooks.stream())
                .map(Hook::notReadyReason)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    @Override
    public void close() {
        for (Hook hook : prehooks) {
            hook.close();
        }
        for (Hook hook : posthooks) {
            hook.close();
        }
    }
}
