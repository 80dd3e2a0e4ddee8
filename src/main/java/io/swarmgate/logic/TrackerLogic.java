package io.swarmgate.logic;

import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.bittorrent.ScrapeResponse;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.ScrapeContext;
import io.swarmgate.storage.AnnounceResult;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.StoreUnavailableException;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one place a request becomes an answer, whichever frontend parsed it: configured prehooks in order, then
 * one atomic store step that applies the announce and fills counts and peers. {@link #announce} returns the
 * announce's {@link AnnounceContext} (what the prehooks learnt, e.g. verified claims, with the answer set); after
 * the frontend has written the answer it hands that same context to {@link #afterAnnounce} for the posthooks, so
 * nothing about a request is kept between the two calls. Frontends never touch the store.
 */
public final class TrackerLogic implements AutoCloseable {
    private static final Logger LOG = System.getLogger(TrackerLogic.class.getName());

    /** The failure reason when the store cannot be reached; nothing of the request was applied. */
    public static final String STORAGE_UNAVAILABLE = "storage unavailable";

    private final TrackerConfig config;
    private final PeerStore store;
    private final List<Hook> prehooks;
    private final List<Hook> posthooks;
    private final HandoutCounter handouts;

    public TrackerLogic(TrackerConfig config, PeerStore store, List<Hook> prehooks, List<Hook> posthooks) {
        this(config, store, prehooks, posthooks, null);
    }

    /** With {@code meters}, peers handed out are counted by locality tier ({@code swarmgate_handout_peers_total}). */
    public TrackerLogic(TrackerConfig config, PeerStore store, List<Hook> prehooks, List<Hook> posthooks,
                        MeterRegistry meters) {
        this.handouts = meters == null ? null : new HandoutCounter(meters);
        this.config = config;
        this.store = store;
        this.prehooks = List.copyOf(prehooks);
        this.posthooks = List.copyOf(posthooks);
    }

    /**
     * Whether an announce may wait on the network (a remote store): then a frontend that serves many clients
     * per thread should hand requests to other threads, up to {@link #maxInFlight()} at once, rather than be
     * capped at one round trip per request. False for the in-process store, whose calls never block.
     */
    public boolean mayBlock() {
        return store.maxInFlight() > 0;
    }

    /** How many requests are worth having in flight when {@link #mayBlock()}; 0 otherwise. */
    public int maxInFlight() {
        return store.maxInFlight();
    }

    /**
     * Runs the prehooks, then applies the announce to the store and selects its peers in one atomic store step.
     * The peers go to {@code sink} as the store selects them, before this returns (a frontend's reply buffer, or a
     * {@link io.swarmgate.bittorrent.PeerCollector} where objects are needed); the answer counts them
     * ({@link AnnounceResponse#peerCount()}) and includes the announcer's new state in the swarm's counts. The sink
     * may run under the store's lock (see {@link PeerSink}). Nothing reaches the sink when a prehook refuses.
     * <p>This is where numwant is decided: the client's value (or the default when it sent none), capped by
     * {@code tracker.max-numwant} and by what the sink can carry; none for {@code stopped}.
     *
     * @return the announce's context, its {@link AnnounceContext#response()} the answer; pass it to
     *         {@link #afterAnnounce} once the answer is out
     * @throws ClientError when a prehook refuses the announce, or the store is unavailable
     */
    public AnnounceContext announce(AnnounceRequest request, PeerSink sink) throws ClientError {
        AnnounceContext ctx = prehooks(request);
        AnnounceResult result;
        try {
            result = store.announce(request.infoHash(), request.peer(), request.event(), request.isSeeder(),
                    numWant(request, sink), ctx.preference(), sink);
        } catch (StoreUnavailableException e) {
            throw storeUnavailable(e);
        }
        return answered(ctx, result);
    }

    /**
     * {@link #announce} for a frontend that keeps many announces in flight per thread (UDP with a remote store,
     * {@link #mayBlock()}): the prehooks run now, on the caller's thread; the store step is asynchronous
     * ({@link PeerStore#announceAsync}), and the future completes once the store has applied it, with the peers
     * already in {@code sink} and the context's answer set, on whichever thread the store completes it (a
     * remote store's reply reader: what the frontend chains to it must be quick and must not block). It fails
     * with a {@link ClientError} when a prehook refuses (then at once) or the store is unavailable (within the
     * store's timeout). As with {@link #announce}, hand the context to {@link #afterAnnounce} once the answer
     * is out.
     */
    public CompletableFuture<AnnounceContext> announceAsync(AnnounceRequest request, PeerSink sink) {
        AnnounceContext ctx;
        try {
            ctx = prehooks(request);
        } catch (ClientError e) {
            return CompletableFuture.failedFuture(e);
        }
        return store.announceAsync(request.infoHash(), request.peer(), request.event(), request.isSeeder(),
                        numWant(request, sink), ctx.preference(), sink)
                .handle((result, failure) -> {
                    if (failure == null) {
                        return answered(ctx, result);
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof StoreUnavailableException e) {
                        throw new CompletionException(storeUnavailable(e));
                    }
                    throw failure instanceof CompletionException c ? c : new CompletionException(cause);
                });
    }

    /** The client's numwant (or the default), capped by {@code tracker.max-numwant} and the sink; 0 for a stop. */
    private int numWant(AnnounceRequest request, PeerSink sink) {
        return request.event() == Event.STOPPED ? 0 : Math.min(config.numWant(request.numWant()), sink.capacity());
    }

    private AnnounceContext answered(AnnounceContext ctx, AnnounceResult result) {
        if (handouts != null) {
            handouts.record(result);
        }
        ctx.response(new AnnounceResponse(ctx.interval(), ctx.minInterval(), result.complete(), result.incomplete(),
                result.peers()));
        return ctx;
    }

    private ClientError storeUnavailable(StoreUnavailableException e) {
        // the cause goes to the log (rate-limited by the store's own readiness state), not to the client
        LOG.log(Level.DEBUG, () -> "store unavailable: " + e.getMessage());
        return new ClientError(ClientError.Kind.UNAVAILABLE, STORAGE_UNAVAILABLE);
    }

    private AnnounceContext prehooks(AnnounceRequest request) throws ClientError {
        AnnounceContext ctx = new AnnounceContext(request, config.intervalSeconds(), config.minIntervalSeconds());
        for (Hook hook : prehooks) {
            hook.announce(ctx);
        }
        return ctx;
    }

    /**
     * Posthooks, after the frontend has sent the answer (the swarm was already updated by the answer's own store
     * step). {@code answered} is what {@link #announce} returned, so the posthooks see what the prehooks learnt
     * (verified claims) and the answer. Never throws: failures are logged.
     */
    public void afterAnnounce(AnnounceContext answered) {
        for (Hook hook : posthooks) {
            try {
                hook.announce(answered);
            } catch (ClientError | RuntimeException e) {
                LOG.log(Level.WARNING, "posthook " + hook.getClass().getSimpleName() + " failed for "
                        + answered.request().infoHash() + ": " + e);
            }
        }
    }

    /**
     * @throws ClientError when a prehook refuses, or more info_hashes were asked than allowed
     */
    public ScrapeResponse scrape(ScrapeRequest request) throws ClientError {
        if (request.infoHashes().size() > config.maxScrapeInfoHashes()) {
            throw ScrapeRequest.tooManyInfoHashes(config.maxScrapeInfoHashes(), "scrape");
        }
        ScrapeContext ctx = new ScrapeContext(request);
        for (Hook hook : prehooks) {
            hook.scrape(ctx);
        }
        // each info_hash once, in the request's order, asked of the store together
        List<InfoHash> distinct = new ArrayList<>(new LinkedHashSet<>(request.infoHashes()));
        List<SwarmStats> stats;
        try {
            stats = store.stats(distinct);
        } catch (StoreUnavailableException e) {
            throw storeUnavailable(e);
        }
        Map<InfoHash, SwarmStats> files = new LinkedHashMap<>();
        for (int i = 0; i < distinct.size(); i++) {
            files.put(distinct.get(i), stats.get(i));
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
