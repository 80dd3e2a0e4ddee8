package io.swarmgate.frontend.udp;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.bittorrent.ScrapeResponse;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.config.UdpConfig;
import io.swarmgate.frontend.QueryString;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics.Action;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpCodec;
import io.swarmgate.protocol.udp.UdpCodecException;
import io.swarmgate.protocol.udp.UdpConnectRequest;
import io.swarmgate.protocol.udp.UdpRequest;
import io.swarmgate.protocol.udp.UdpScrapeRequest;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One receive loop: a packet in, at most one packet out. Owns its buffers, its {@link ConnectionIds} and its
 * scratch state, so the steady state allocates only what the JDK's {@code receive} and the tracker logic's
 * records need. Several workers may share one channel when SO_REUSEPORT is unavailable.
 *
 * <p>When the store is remote ({@link TrackerLogic#mayBlock()}), one thread answering one packet at a time would
 * be capped at one store round trip per packet. Then the loop only receives: each datagram goes into the
 * buffers of an idle handler (a worker of its own, with its own send buffer and connection ids) taken from a
 * fixed set, which answers it on a virtual thread and returns to the set. The set's size bounds the requests
 * in flight; when all are busy the loop stops receiving and the kernel's socket buffer takes the excess.
 */
final class UdpWorker implements Runnable {
    private static final Logger LOG = System.getLogger(UdpFrontend.class.getName());
    static final String INVALID_CONNECTION_ID = "connection id expired or invalid";
    static final String INTERNAL_ERROR = "internal error";

    /** Larger than any UDP payload, so no datagram is silently cut. */
    private static final int RECEIVE_BUFFER_BYTES = 65_536;
    /** Responses are capped at {@link UdpFrontend#MAX_RESPONSE_BYTES}; errors are cut to fit. */
    private static final int SEND_BUFFER_BYTES = UdpFrontend.MAX_RESPONSE_BYTES;

    private final DatagramChannel channel;
    private final UdpConfig config;
    private final TrackerLogic logic;
    private final RequestMetrics metrics;
    private final ConnectionIds ids;
    private final RequestMeta emptyMeta = RequestMeta.of(Frontend.UDP);
    private final ByteBuffer in = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
    private final ByteBuffer out = ByteBuffer.allocateDirect(SEND_BUFFER_BYTES);
    private final PeerWriter peerWriter = new PeerWriter();
    /** Idle handlers when requests are handed off (a remote store); null when this loop answers them itself. */
    private final BlockingQueue<UdpWorker> idle;

    // the request being handled; fields rather than locals so the steady state needs no holder objects
    private InetSocketAddress source;
    private IpAddress sourceIp;
    private int transactionId;
    private AnnounceContext doneAnnounce;
    private ScrapeRequest doneScrape;
    private ScrapeResponse doneScrapeResponse;

    UdpWorker(DatagramChannel channel, UdpConfig config, TrackerLogic logic, RequestMetrics metrics,
              ConnectionIds ids) {
        this.channel = channel;
        this.config = config;
        this.logic = logic;
        this.metrics = metrics;
        this.ids = ids;
        this.idle = null;
    }

    /** A receive loop that hands each datagram to one of {@code handlers}, each answering on a virtual thread. */
    UdpWorker(DatagramChannel channel, UdpConfig config, TrackerLogic logic, RequestMetrics metrics,
              List<UdpWorker> handlers) {
        this.channel = channel;
        this.config = config;
        this.logic = logic;
        this.metrics = metrics;
        this.ids = null;
        this.idle = new ArrayBlockingQueue<>(handlers.size(), false, handlers);
    }

    @Override
    public void run() {
        if (idle != null) {
            handOff();
            return;
        }
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                in.clear();
                from = channel.receive(in);
            } catch (ClosedChannelException e) {
                return; // closed by UdpFrontend.close(), possibly while blocked in receive
            } catch (IOException | RuntimeException e) {
                if (!channel.isOpen()) {
                    return;
                }
                LOG.log(Level.WARNING, "UDP receive failed on " + localAddress() + ": " + e);
                continue;
            }
            if (from instanceof InetSocketAddress address) {
                in.flip();
                handle(address);
            }
        }
    }

    private void handOff() {
        while (channel.isOpen()) {
            UdpWorker handler;
            try {
                handler = idle.take();
            } catch (InterruptedException e) {
                return;
            }
            SocketAddress from;
            try {
                handler.in.clear();
                from = channel.receive(handler.in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                idle.add(handler);
                if (!channel.isOpen()) {
                    return;
                }
                LOG.log(Level.WARNING, "UDP receive failed on " + localAddress() + ": " + e);
                continue;
            }
            if (from instanceof InetSocketAddress address) {
                handler.in.flip();
                Thread.ofVirtual().start(() -> {
                    try {
                        handler.handle(address);
                    } finally {
                        idle.add(handler);
                    }
                });
            } else {
                idle.add(handler);
            }
        }
    }

    /** Answers one datagram that is in {@code in}; never throws. */
    void handle(InetSocketAddress from) {
        long start = System.nanoTime();
        if (in.remaining() < UdpCodec.REQUEST_HEADER_LENGTH) {
            return; // no transaction id, so no answer a client could match (BEP 15): drop
        }
        Action action = actionOf(in.getInt(in.position() + 8));
        if (action == null) {
            // Not a request. Answering would let one spoofed packet start an endless error ping-pong with another
            // tracker (or any UDP service that answers garbage); our own error packets land here, too.
            return;
        }
        source = from;
        sourceIp = IpAddress.of(from.getAddress()); // IPv4-mapped sources of a dual-stack socket become IPv4
        transactionId = in.getInt(in.position() + 12);
        AddressFamily family = sourceIp.family();
        boolean answer = true;
        String result;
        try {
            switch (UdpCodec.decodeRequest(in)) {
                case UdpConnectRequest r -> {
                    out.clear();
                    UdpCodec.encodeConnectResponse(out, transactionId, ids.issue(sourceIp));
                }
                case UdpAnnounceRequest r -> announce(r, family);
                case UdpScrapeRequest r -> scrape(r, family);
            }
            result = RequestMetrics.OK;
        } catch (UdpCodecException e) {
            // a connect without the protocol magic is not BEP 15 traffic: stay silent, as for unknown actions
            answer = action != Action.CONNECT;
            error(e.getMessage());
            result = ClientError.Kind.BAD_REQUEST.label();
        } catch (ClientError e) {
            error(e.reason());
            result = e.kind().label();
        } catch (RuntimeException | Error e) {
            // an Error too (say a hook's StackOverflowError): a dead worker's socket would keep getting its
            // SO_REUSEPORT share of packets, black-holing those clients
            LOG.log(Level.ERROR, "UDP " + action.label() + " from " + from + " failed: " + e, e);
            error(INTERNAL_ERROR);
            result = RequestMetrics.INTERNAL;
            doneAnnounce = null;
            doneScrape = null;
        }
        // recorded before the send, so a client that got its answer also finds it counted
        metrics.record(Frontend.UDP, action, family, result, System.nanoTime() - start);
        if (answer) {
            send();
        }
        finishAfterSend();
    }

    private void announce(UdpAnnounceRequest r, AddressFamily family) throws ClientError {
        checkConnectionId(r.connectionId());
        if (r.port() == 0) {
            throw ClientError.badRequest("invalid port 0");
        }
        Event event = Event.fromUdp(r.event());
        if (r.downloaded() < 0 || r.left() < 0 || r.uploaded() < 0) {
            throw ClientError.badRequest("invalid downloaded, left or uploaded: must not be negative");
        }
        IpAddress ip = sourceIp;
        // the ip field is 32 bits (BEP 15); from an IPv6 client it would move the peer into the IPv4 swarm,
        // whose peers an 18-byte-per-peer answer cannot carry, so it only counts for IPv4 requests
        if (config.allowIpParam() && r.ipv4() != 0 && family == AddressFamily.IPV4) {
            ip = IpAddress.ipv4(r.ipv4());
        }
        AnnounceRequest request = new AnnounceRequest(r.infoHash(), new Peer(r.peerId(), ip, r.port()),
                r.uploaded(), r.downloaded(), r.left(), event, Math.max(r.numWant(), -1), true, true,
                meta(r.urlData()));
        // The store writes the peers straight behind the header (no object per peer); the header's counts are
        // known only afterwards, so it is filled in last. The writer's capacity keeps the peers within one packet.
        out.clear();
        out.position(UdpCodec.ANNOUNCE_RESPONSE_HEADER_LENGTH);
        peerWriter.family = family;
        AnnounceContext answered = logic.announce(request, peerWriter);
        AnnounceResponse response = answered.response();
        int end = out.position();
        out.position(0);
        UdpCodec.encodeAnnounceResponseHeader(out, transactionId, response.interval(), response.incomplete(),
                response.complete());
        out.position(end);
        doneAnnounce = answered;
    }

    /**
     * The {@link PeerSink} the store writes an announce's peers through, straight into {@code out}. A peer of
     * another family than the request's cannot be expressed in the reply (its peer size follows the request's
     * family, BEP 15), so it is left out; the store does not select any. Its capacity is what fits one datagram.
     */
    private final class PeerWriter implements PeerSink {
        AddressFamily family;

        @Override
        public void peer(AddressFamily peerFamily, long ipHi, long ipLo, int port, long id0, long id1, int id2) {
            if (peerFamily == family) {
                UdpCodec.encodeAnnouncePeer(out, peerFamily, ipHi, ipLo, port);
            }
        }

        @Override
        public int capacity() {
            return UdpFrontend.maxPeers(family);
        }
    }

    /**
     * BEP 41 URL data is the tracker URL's path and query ({@code /announce?jwt=...}); its query parameters
     * reach hooks exactly as an HTTP announce's leftover parameters do.
     */
    private RequestMeta meta(String urlData) throws ClientError {
        if (urlData.indexOf('?') < 0) {
            return emptyMeta; // no URL data, or a path without a query
        }
        return QueryString.parse(urlData).meta(Frontend.UDP, Set.of(), "");
    }

    private void scrape(UdpScrapeRequest r, AddressFamily family) throws ClientError {
        checkConnectionId(r.connectionId());
        List<InfoHash> infoHashes = r.infoHashes();
        if (infoHashes.size() > UdpFrontend.MAX_SCRAPE_INFO_HASHES) {
            throw new ClientError(ClientError.Kind.TOO_LARGE, "too many info_hashes: at most "
                    + UdpFrontend.MAX_SCRAPE_INFO_HASHES + " per UDP scrape");
        }
        ScrapeRequest request = new ScrapeRequest(infoHashes, family, emptyMeta);
        ScrapeResponse response = logic.scrape(request);
        Map<InfoHash, SwarmStats> files = response.files();
        out.clear();
        UdpCodec.encodeScrapeResponseHeader(out, transactionId);
        // one entry per requested hash in request order, duplicates included: BEP 15 entries carry no key
        for (int i = 0, n = infoHashes.size(); i < n; i++) {
            SwarmStats s = files.getOrDefault(infoHashes.get(i), SwarmStats.EMPTY);
            UdpCodec.encodeScrapeEntry(out, s.complete(), (int) Math.min(s.downloaded(), Integer.MAX_VALUE),
                    s.incomplete());
        }
        doneScrape = request;
        doneScrapeResponse = response;
    }

    private void checkConnectionId(long connectionId) throws ClientError {
        if (!ids.isValid(connectionId, sourceIp)) {
            throw ClientError.badRequest(INVALID_CONNECTION_ID);
        }
    }

    private void error(String message) {
        out.clear();
        UdpCodec.encodeError(out, transactionId, message);
    }

    private void send() {
        out.flip();
        try {
            channel.send(out, source);
        } catch (IOException | RuntimeException e) {
            // the client's problem (unreachable, filtered) or we are closing; logging it per packet would let
            // any sender flood the log
            LOG.log(Level.DEBUG, () -> "UDP send to " + source + " failed: " + e);
        }
    }

    /** Posthooks run after the answer is out, off the client's critical path. */
    private void finishAfterSend() {
        try {
            if (doneAnnounce != null) {
                logic.afterAnnounce(doneAnnounce);
            } else if (doneScrape != null) {
                logic.afterScrape(doneScrape, doneScrapeResponse);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "UDP after-announce work for " + source + " failed: " + e, e);
        } finally {
            doneAnnounce = null;
            doneScrape = null;
            doneScrapeResponse = null;
            source = null;
            sourceIp = null;
        }
    }

    private static Action actionOf(int code) {
        return switch (code) {
            case 0 -> Action.CONNECT;
            case 1 -> Action.ANNOUNCE;
            case 2 -> Action.SCRAPE;
            default -> null;
        };
    }

    private String localAddress() {
        try {
            return String.valueOf(channel.getLocalAddress());
        } catch (IOException e) {
            return "?";
        }
    }
}
