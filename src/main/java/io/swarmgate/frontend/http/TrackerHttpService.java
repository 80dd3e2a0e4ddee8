package io.swarmgate.frontend.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerCollector;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.bittorrent.ScrapeResponse;
import io.swarmgate.config.HttpConfig;
import io.swarmgate.frontend.QueryString;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

/**
 * The HTTP announce and scrape routes: query in, bencoded dictionary out. Every client mistake is answered
 * with HTTP 200 and a {@code failure reason} saying what was wrong (clients show that text; a 4xx status
 * would hide it); an unexpected failure is logged once with context and the client sees a generic reason.
 */
final class TrackerHttpService implements HttpService {
    private static final Logger LOG = System.getLogger(TrackerHttpService.class.getName());
    static final String INTERNAL_REASON = "internal server error";
    private static final HeaderName AUTHORIZATION = HeaderNames.AUTHORIZATION;
    /** Encoded once (a cached header keeps its wire bytes), not per answer. */
    private static final Header NO_STORE = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-store");

    private final HttpConfig config;
    private final TrackerLogic logic;
    private final RequestMetrics metrics;
    private final ClientAddressResolver addresses;
    private final HeaderName realIpHeader;

    TrackerHttpService(HttpConfig config, TrackerLogic logic, RequestMetrics metrics) {
        this.config = config;
        this.logic = logic;
        this.metrics = metrics;
        this.addresses = new ClientAddressResolver(config.realIpHeader(), config.trustedProxies());
        this.realIpHeader = config.realIpHeader().isEmpty() ? null : HeaderNames.create(config.realIpHeader());
    }

    @Override
    public void routing(HttpRules rules) {
        for (String route : config.announceRoutes()) {
            rules.get(route, this::announce);
        }
        for (String route : config.scrapeRoutes()) {
            rules.get(route, this::scrape);
        }
    }

    private void announce(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        answerDespiteShutdown(res);
        IpAddress client = clientAddress(req);
        AnnounceRequest request = null;
        AnnounceContext answered;
        CompactPeerBuffer compact = null;
        PeerCollector objects = null;
        try {
            QueryString q = QueryString.parseQuery(req.query().rawValue());
            request = AnnounceParser.announce(q, client, config.allowIpParam(), bearer(req));
            if (request.compact()) {
                // the hot path: the store writes the peers straight into the answer's bytes
                compact = new CompactPeerBuffer(request.family());
                answered = logic.announce(request, compact);
            } else {
                // the dictionary model needs each peer's id and address as values
                objects = new PeerCollector();
                answered = logic.announce(request, objects);
            }
        } catch (ClientError e) {
            send(res, ResponseWriter.failure(e.reason()));
            metrics.recordError(Frontend.HTTP, Action.ANNOUNCE, client.family(), e, System.nanoTime() - start);
            return;
        } catch (RuntimeException e) {
            internalError(res, Action.ANNOUNCE, client, request == null ? "" : " info_hash " + request.infoHash(), e,
                    start);
            return;
        }
        AddressFamily family = request.family();
        AnnounceResponse response = answered.response();
        send(res, compact != null ? ResponseWriter.announceCompact(response, family, compact)
                : ResponseWriter.announceDict(response, objects.peers(), request.noPeerId()));
        metrics.record(Frontend.HTTP, Action.ANNOUNCE, family, RequestMetrics.OK, System.nanoTime() - start);
        // the answer is out (the swarm was updated by the answer's own store step): posthooks do not delay it
        logic.afterAnnounce(answered);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        answerDespiteShutdown(res);
        IpAddress client = clientAddress(req);
        ScrapeRequest request;
        ScrapeResponse response;
        try {
            QueryString q = QueryString.parseQuery(req.query().rawValue());
            request = AnnounceParser.scrape(q, client, bearer(req));
            response = logic.scrape(request);
        } catch (ClientError e) {
            send(res, ResponseWriter.failure(e.reason()));
            metrics.recordError(Frontend.HTTP, Action.SCRAPE, client.family(), e, System.nanoTime() - start);
            return;
        } catch (RuntimeException e) {
            internalError(res, Action.SCRAPE, client, "", e, start);
            return;
        }
        send(res, ResponseWriter.scrape(response));
        metrics.record(Frontend.HTTP, Action.SCRAPE, client.family(), RequestMetrics.OK, System.nanoTime() - start);
        logic.afterScrape(request, response);
    }

    /**
     * On stop, Helidon interrupts each connection it sees waiting for its next request line. A request that
     * arrived at that moment has been read, but its thread carries the interrupt: the store's I/O or the answer's
     * write would fail with {@code ClosedByInterruptException}, the client would lose an answer to a request the
     * tracker took (and the log would get a stack trace). Clearing it lets this answer out; {@code Connection:
     * close} then ends the connection after it, as the interrupt meant to (SigtermIT).
     */
    private static void answerDespiteShutdown(ServerResponse res) {
        if (Thread.interrupted()) {
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
    }

    private void internalError(ServerResponse res, Action action, IpAddress client, String context,
                               RuntimeException e, long start) {
        LOG.log(Level.ERROR, "http " + action.label() + " from " + client + context + " failed", e);
        send(res, ResponseWriter.failure(INTERNAL_REASON));
        metrics.record(Frontend.HTTP, action, client.family(), RequestMetrics.INTERNAL, System.nanoTime() - start);
    }

    private IpAddress clientAddress(ServerRequest req) {
        InetSocketAddress remote = (InetSocketAddress) req.remotePeer().address();
        // a socket's peer is always resolved; Helidon's in-process test client names its peer by an unresolved
        // literal (DirectClient.clientHost), so the routing tests see the address they set
        IpAddress connection = remote.isUnresolved() ? IpAddress.parse(remote.getHostString())
                : IpAddress.of(remote.getAddress());
        if (realIpHeader == null) {
            return connection;
        }
        return addresses.resolve(connection, req.headers().first(realIpHeader).orElse(null));
    }

    private static String bearer(ServerRequest req) {
        String auth = req.headers().first(AUTHORIZATION).orElse("");
        if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).strip();
        }
        return "";
    }

    private static void send(ServerResponse res, byte[] body) {
        res.header(HeaderValues.CONTENT_TYPE_TEXT_PLAIN);
        res.header(NO_STORE);
        res.send(body);
    }
}
