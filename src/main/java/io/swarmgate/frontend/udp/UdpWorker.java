package io.swarmgate.frontend.udp;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.bittorrent.ScrapeResponse;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.concurrent.Burst;
import io.swarmgate.config.UdpConfig;
import io.swarmgate.frontend.QueryString;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.net.BatchSocket;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpCodecException;
import io.swarmgate.protocol.udp.UdpConnectRequest;
import io.swarmgate.protocol.udp.UdpRequest;
import io.swarmgate.protocol.udp.UdpRequests;
import io.swarmgate.protocol.udp.UdpResponses;
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
import java.util.concurrent.CompletionException;

/**
 * One receive loop: a packet in, at most one packet out. Owns its buffers, its {@link ConnectionIds} and its
 * scratch writers, so the steady state allocates only what the JDK's {@code receive} and the tracker logic's
 * records need. Several workers may share one channel when SO_REUSEPORT is unavailable.
 *
 * <p>When the store is remote ({@link TrackerLogic#mayBlock()}), one thread answering one packet at a time would
 * be capped at one store round trip per packet. Then each datagram goes into the buffers of an idle handler (a
 * worker of its own, with its own send buffer and connection ids) taken from a fixed set, and the loop goes on
 * receiving while the store works: an announce is started here ({@link TrackerLogic#announceAsync}) and
 * answered by the thread that completes the store step (a Redis store's reply reader), which sends the reply,
 * returns the handler to the set, then runs the posthooks; no thread per packet. A connect is answered here at
 * once; a scrape, rare and a blocking store call per info_hash, on a virtual thread. The set's size bounds the
 * requests in flight; when all are busy the loop stops receiving and the kernel's socket buffer takes the
 * excess.
 */
final class UdpWorker implements Runnable {
    private static final Logger LOG = System.getLogger(UdpFrontend.class.getName());
    static final String INVALID_CONNECTION_ID = "connection id expired or invalid";
    static final String INTERNAL_ERROR = "internal error";
    /** A scrape of one info_hash (16 + 20 bytes): the shortest well-formed request that carries a connection id. */
    static final int MIN_ID_CARRYING_REQUEST = UdpRequests.HEADER_LENGTH + UdpRequests.INFO_HASH_LENGTH;
    /**
     * The most a sender without a valid connection id gets back per byte it sent: the 40-byte connection id
     * error to a 36-byte scrape (a connect answer is as long as its request).
     */
    static final double MAX_UNPROVEN_ANSWER_RATIO =
            (double) (UdpResponses.HEADER_LENGTH + INVALID_CONNECTION_ID.length()) / MIN_ID_CARRYING_REQUEST;

    /** Larger than any UDP payload, so no datagram is silently cut. */
    private static final int RECEIVE_BUFFER_BYTES = 65_536;
    /** Responses are capped at {@link UdpFrontend#MAX_RESPONSE_BYTES}; errors are cut to fit. */
    private static final int SEND_BUFFER_BYTES = UdpFrontend.MAX_RESPONSE_BYTES;

    private final DatagramChannel channel;
    /** With a batch socket (the default on Linux, a local store): datagrams in and out many per system call. */
    private final BatchSocket batch;
    private final UdpConfig config;
    private final TrackerLogic logic;
    private final RequestMetrics metrics;
    private final ConnectionIds ids;
    private final RequestMeta emptyMeta = RequestMeta.of(Frontend.UDP);
    /** The datagram in hand and its answer: this worker's own, or a batch slot's. */
    private ByteBuffer in;
    private ByteBuffer out;
    /** With a batch socket: the slot in hand, and per slot the posthooks' work, run once the answers are out. */
    private int slot;
    private final AnnounceContext[] afterAnnounce;
    private final ScrapeRequest[] afterScrapeRequest;
    private final ScrapeResponse[] afterScrapeResponse;
    private final InetSocketAddress[] afterFrom;
    /** One peer writer per family, both writing into {@code out}; per-packet state lives in locals. */
    private final PeerWriter ipv4Peers = new PeerWriter(AddressFamily.IPV4);
    private final PeerWriter ipv6Peers = new PeerWriter(AddressFamily.IPV6);
    /** Idle handlers when requests are handed off (a remote store); null when this loop answers them itself. */
    private final BlockingQueue<UdpWorker> idle;
    /**
     * A handler of a receive loop on a batch socket: its answers go out through the socket's outbox, each
     * burst's together ({@link Burst}); null otherwise.
     */
    private final Outgoing outgoing;
    /** The source of the request in hand, where an answer through the outbox goes. */
    private IpAddress replyIp;

    UdpWorker(DatagramChannel channel, UdpConfig config, TrackerLogic logic, RequestMetrics metrics,
              ConnectionIds ids) {
        this(channel, null, null, config, logic, metrics, ids, null);
    }

    /** A receive loop on a batch socket: a batch of datagrams in, their answers out, then the posthooks. */
    UdpWorker(BatchSocket batch, UdpConfig config, TrackerLogic logic, RequestMetrics metrics, ConnectionIds ids) {
        this(null, batch, null, config, logic, metrics, ids, null);
    }

    /**
     * A handler of a receive loop on a batch socket (see {@link #UdpWorker(BatchSocket, List, UdpConfig,
     * TrackerLogic, RequestMetrics)}), answering through the socket's outbox.
     */
    UdpWorker(Outgoing outgoing, UdpConfig config, TrackerLogic logic, RequestMetrics metrics, ConnectionIds ids) {
        this(null, null, outgoing, config, logic, metrics, ids, null);
    }

    /**
     * A receive loop on a batch socket that hands each datagram of a batch to one of {@code handlers} (made with
     * the socket's outbox): a remote store's answers leave in bursts, many per system call.
     */
    UdpWorker(BatchSocket batch, List<UdpWorker> handlers, UdpConfig config, TrackerLogic logic,
              RequestMetrics metrics) {
        this(null, batch, handlers.getFirst().outgoing, config, logic, metrics, null, handlers);
    }

    private UdpWorker(DatagramChannel channel, BatchSocket batch, Outgoing outgoing, UdpConfig config,
                      TrackerLogic logic, RequestMetrics metrics, ConnectionIds ids, List<UdpWorker> handlers) {
        this.channel = channel;
        this.batch = batch;
        this.outgoing = outgoing;
        this.config = config;
        this.logic = logic;
        this.metrics = metrics;
        this.ids = ids;
        this.idle = handlers == null ? null : new ArrayBlockingQueue<>(handlers.size(), false, handlers);
        int slots = batch == null || handlers != null ? 0 : batch.slots();
        this.afterAnnounce = new AnnounceContext[slots];
        this.afterScrapeRequest = new ScrapeRequest[slots];
        this.afterScrapeResponse = new ScrapeResponse[slots];
        this.afterFrom = new InetSocketAddress[slots];
        if (batch == null) {
            in = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
            out = ByteBuffer.allocateDirect(SEND_BUFFER_BYTES);
        }
    }

    /** A receive loop that hands each datagram to one of {@code handlers}, each answering on a virtual thread. */
    UdpWorker(DatagramChannel channel, UdpConfig config, TrackerLogic logic, RequestMetrics metrics,
              List<UdpWorker> handlers) {
        this(channel, null, null, config, logic, metrics, null, handlers);
    }

    @Override
    public void run() {
        if (idle != null && batch != null) {
            handOffBatches();
            return;
        }
        if (idle != null) {
            handOff();
            return;
        }
        if (batch != null) {
            runBatches();
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

    /**
     * Receives a batch, answers each datagram into its slot, sends the answers in one call, then runs the
     * posthooks: as on the channel, an answer leaves only after its store step and before its posthooks.
     */
    private void runBatches() {
        while (true) {
            int n = receiveBatch();
            if (n < 0) {
                return; // shut down by UdpFrontend.close()
            }
            for (int i = 0; i < n; i++) {
                slot = i;
                in = batch.in(i);
                out = batch.out(i); // MAX_RESPONSE_BYTES, as the channel path's own buffer
                IpAddress sourceIp = sourceIp(i);
                InetSocketAddress from = new InetSocketAddress(sourceIp.toInetAddress(), batch.sourcePort(i));
                handle(from, sourceIp, null, batch.arrivedAt(i));
            }
            int refused = batch.flush();
            if (refused > 0) {
                // as a failed send on the channel: the clients' problem (unreachable, filtered) or we are closing
                LOG.log(Level.DEBUG, () -> "UDP send of " + refused + " answers on port " + batch.localPort()
                        + " refused");
            }
            for (int i = 0; i < n; i++) {
                runPosthooks(i);
            }
        }
    }

    /** The next batch: how many datagrams, 0 after a receive error (logged), -1 once the socket is shut down. */
    private int receiveBatch() {
        try {
            return batch.receive();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "UDP receive failed on port " + batch.localPort() + ": " + e);
            return 0;
        }
    }

    /** Slot {@code i}'s source (IPv4-mapped sources of a dual-stack socket as IPv4). */
    private IpAddress sourceIp(int i) {
        return batch.sourceIsIpv6(i) ? new IpAddress(AddressFamily.IPV6, batch.sourceHi(i), batch.sourceLo(i))
                : IpAddress.ipv4((int) batch.sourceLo(i));
    }

    private void runPosthooks(int i) {
        InetSocketAddress from = afterFrom[i];
        if (afterAnnounce[i] != null) {
            AnnounceContext answered = afterAnnounce[i];
            afterAnnounce[i] = null;
            afterAnnounce(answered, from);
        } else if (afterScrapeRequest[i] != null) {
            ScrapeRequest request = afterScrapeRequest[i];
            ScrapeResponse response = afterScrapeResponse[i];
            afterScrapeRequest[i] = null;
            afterScrapeResponse[i] = null;
            afterScrape(request, response, from);
        }
        afterFrom[i] = null;
    }

    /**
     * Receives a batch and hands each datagram to an idle handler, in one {@link Burst}: answers given at once
     * (connects, errors) leave together at its end. When every handler is busy, what is queued goes out before
     * the loop waits for one.
     */
    private void handOffBatches() {
        while (true) {
            int n = receiveBatch();
            if (n < 0) {
                return; // shut down by UdpFrontend.close()
            }
            Burst.run(() -> handOffBatch(n));
            if (Thread.currentThread().isInterrupted()) {
                return; // interrupted while waiting for a handler: stop, as the channel's loop does
            }
        }
    }

    private void handOffBatch(int n) {
        for (int i = 0; i < n; i++) {
            UdpWorker handler = idle.poll();
            if (handler == null) {
                // what this batch deferred goes out before the wait: its answers, and its calls to the store,
                // whose replies are what frees a handler
                Burst.drainNow();
                try {
                    handler = idle.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            ByteBuffer datagram = batch.in(i);
            handler.in.clear();
            handler.in.put(datagram).flip();
            IpAddress sourceIp = sourceIp(i);
            InetSocketAddress from = new InetSocketAddress(sourceIp.toInetAddress(), batch.sourcePort(i));
            UdpWorker h = handler;
            handler.handle(from, sourceIp, () -> idle.add(h), batch.arrivedAt(i));
        }
    }

    /**
     * A batch socket's outbox and the one action that sends what it holds, shared by the socket's receive loop
     * and handlers: {@link Burst#once} runs it once per burst, however many of them queued an answer.
     */
    static final class Outgoing implements Runnable {
        final BatchSocket.Outbox outbox;

        Outgoing(BatchSocket.Outbox outbox) {
            this.outbox = outbox;
        }

        @Override
        public void run() {
            try {
                int refused = outbox.flush();
                if (refused > 0) {
                    // as a failed send on the channel: the clients' problem (unreachable, filtered) or closing
                    LOG.log(Level.DEBUG, () -> "UDP send of " + refused + " answers refused");
                }
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "UDP send failed: " + e); // the socket closed
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
                handler.handle(address, IpAddress.of(address.getAddress()), () -> idle.add(handler),
                        System.nanoTime());
            } else {
                idle.add(handler);
            }
        }
    }

    /**
     * Answers one datagram that is in {@code in}; never throws. The packet's header is read once, by the codec:
     * a decoded request carries its action and transaction id, a malformed one's exception carries them too.
     * The metrics are recorded before the send, so a client that got its answer also finds it counted; the
     * posthooks run after it, off the client's critical path.
     */
    void handle(InetSocketAddress from) {
        handle(from, IpAddress.of(from.getAddress()), null, System.nanoTime());
    }

    /**
     * With {@code release} (a handler of a receive loop, remote store): an announce is answered asynchronously and
     * a scrape on a virtual thread; {@code release} runs once this handler's buffers are free again, after the
     * answer was sent. Without it, everything is answered before this returns. {@code start}: when the datagram
     * arrived (on a batch socket the kernel's timestamp, so its wait in the socket's queue counts), what the
     * request's recorded duration counts from.
     */
    private void handle(InetSocketAddress from, IpAddress sourceIp, Runnable release, long start) {
        replyIp = sourceIp;
        UdpRequest request;
        try {
            request = UdpRequests.decode(in);
        } catch (UdpCodecException e) {
            malformed(e, from, sourceIp, start);
            release(release);
            return;
        }
        // sourceIp: IPv4-mapped sources of a dual-stack socket are IPv4
        AddressFamily family = sourceIp.family();
        boolean pending = false;
        try {
            switch (request) {
                case UdpConnectRequest r -> {
                    out.clear();
                    UdpResponses.encodeConnect(out, r.transactionId(), ids.issue(sourceIp));
                    answer(Action.CONNECT, family, RequestMetrics.OK, start, from);
                }
                case UdpAnnounceRequest r when release != null -> {
                    announceAsync(r, from, sourceIp, start, release);
                    pending = true;
                }
                case UdpAnnounceRequest r -> announce(r, from, sourceIp, start);
                case UdpScrapeRequest r when release != null -> {
                    Thread.ofVirtual().start(() -> {
                        try {
                            handleScrape(r, from, sourceIp, start);
                        } finally {
                            release.run();
                        }
                    });
                    pending = true;
                }
                case UdpScrapeRequest r -> scrape(r, from, sourceIp, start);
            }
        } catch (ClientError | RuntimeException | Error e) {
            failed(request, family, e, start, from);
        } finally {
            if (!pending) {
                release(release);
            }
        }
    }

    private static void release(Runnable release) {
        if (release != null) {
            release.run();
        }
    }

    private void handleScrape(UdpScrapeRequest r, InetSocketAddress from, IpAddress sourceIp, long start) {
        try {
            scrape(r, from, sourceIp, start);
        } catch (ClientError | RuntimeException | Error e) {
            failed(r, sourceIp.family(), e, start, from);
        }
    }

    /** Answers a request that failed: a client error with its reason, anything else as an internal error. */
    private void failed(UdpRequest request, AddressFamily family, Throwable e, long start, InetSocketAddress from) {
        if (e instanceof ClientError c) {
            error(request.transactionId(), c.reason());
            answer(request.action(), family, c.kind().label(), start, from);
            return;
        }
        // an Error too (say a hook's StackOverflowError): a dead worker's socket would keep getting its
        // SO_REUSEPORT share of packets, black-holing those clients
        LOG.log(Level.ERROR, "UDP " + request.action().label() + " from " + from + " failed: " + e, e);
        error(request.transactionId(), INTERNAL_ERROR);
        answer(request.action(), family, RequestMetrics.INTERNAL, start, from);
    }

    /**
     * A packet the codec refused. Without a header, or with an action no client sends (an error packet, an
     * unknown code), it is not a request: answering would let one spoofed packet start an endless error
     * ping-pong with another tracker (or any UDP service that answers garbage); our own error packets land
     * here, too. A connect without the protocol magic is not BEP 15 traffic either: counted, not answered.
     *
     * <p>A malformed announce or scrape is answered with what is wrong only when its connection id is valid for
     * the sender's address, which proves the address is the sender's own. Otherwise the source may be spoofed,
     * and the answer is what a well-formed packet with that id would get: the connection id error, and only to a
     * packet at least as long as the smallest well-formed request that can carry an id (a scrape of one
     * info_hash). That keeps what a spoofer can reflect onto a victim at
     * {@link #MAX_UNPROVEN_ANSWER_RATIO} times the bytes it sent, whatever the packet (README "Security and
     * limits"); a 16-byte announce header would otherwise get a 38-byte error.
     */
    private void malformed(UdpCodecException e, InetSocketAddress from, IpAddress sourceIp, long start) {
        Action action = e.action();
        if (action == null || !action.isRequest()) {
            return;
        }
        AddressFamily family = sourceIp.family();
        String result = ClientError.Kind.BAD_REQUEST.label();
        if (action == Action.CONNECT) {
            metrics.record(Frontend.UDP, action, family, result, System.nanoTime() - start);
            return;
        }
        if (ids.isValid(e.connectionId(), sourceIp)) {
            error(e.transactionId(), e.getMessage());
        } else if (in.remaining() >= MIN_ID_CARRYING_REQUEST) { // the codec left the packet unread
            error(e.transactionId(), INVALID_CONNECTION_ID);
        } else {
            metrics.record(Frontend.UDP, action, family, result, System.nanoTime() - start);
            return;
        }
        answer(action, family, result, start, from);
    }

    private void announce(UdpAnnounceRequest r, InetSocketAddress from, IpAddress sourceIp, long start)
            throws ClientError {
        AnnounceRequest request = announceRequest(r, sourceIp);
        AnnounceContext answered = logic.announce(request, startAnnounceReply(sourceIp.family()));
        sendAnnounceReply(r, answered, sourceIp.family(), start, from);
        if (batch != null) {
            afterAnnounce[slot] = answered; // once the batch's answers are out
            afterFrom[slot] = from;
        } else {
            afterAnnounce(answered, from);
        }
    }

    /**
     * The announce started here, answered by the thread that completes the store step: the reply is sent (the
     * metrics recorded first), the handler released, then the posthooks run.
     */
    private void announceAsync(UdpAnnounceRequest r, InetSocketAddress from, IpAddress sourceIp, long start,
                               Runnable release) throws ClientError {
        AnnounceRequest request = announceRequest(r, sourceIp);
        logic.announceAsync(request, startAnnounceReply(sourceIp.family())).whenComplete((answered, failure) -> {
            boolean sent = false;
            try {
                if (failure == null) {
                    sendAnnounceReply(r, answered, sourceIp.family(), start, from);
                    sent = true;
                } else {
                    failed(r, sourceIp.family(), failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure, start, from);
                }
            } catch (RuntimeException | Error e) {
                failed(r, sourceIp.family(), e, start, from);
            } finally {
                release.run();
            }
            if (sent && outgoing != null) {
                Burst.after(() -> afterAnnounce(answered, from)); // once the burst's answers are out
            } else if (sent) {
                afterAnnounce(answered, from);
            }
        });
    }

    private AnnounceRequest announceRequest(UdpAnnounceRequest r, IpAddress sourceIp) throws ClientError {
        checkConnectionId(r.connectionId(), sourceIp);
        AddressFamily family = sourceIp.family();
        IpAddress ip = sourceIp;
        // the ip field is 32 bits (BEP 15); from an IPv6 client it would move the peer into the IPv4 swarm,
        // whose peers an 18-byte-per-peer answer cannot carry, so it only counts for IPv4 requests
        if (config.allowIpParam() && r.ipv4() != 0 && family == AddressFamily.IPV4) {
            ip = IpAddress.ipv4(r.ipv4());
        }
        return AnnounceRequest.of(r.infoHash(), r.peerId(), ip, r.port(), r.uploaded(),
                r.downloaded(), r.left(), Event.fromUdp(r.event()), r.numWant(), true, true, meta(r.urlData()));
    }

    /**
     * The store writes the peers straight behind the header (no object per peer); the header's counts are known
     * only afterwards, so it is filled in last. The writer's capacity keeps the peers within one packet.
     */
    private PeerSink startAnnounceReply(AddressFamily family) {
        out.clear();
        out.position(UdpResponses.ANNOUNCE_HEADER_LENGTH);
        return family == AddressFamily.IPV4 ? ipv4Peers : ipv6Peers;
    }

    private void sendAnnounceReply(UdpAnnounceRequest r, AnnounceContext answered, AddressFamily family,
                                   long start, InetSocketAddress from) {
        AnnounceResponse response = answered.response();
        int end = out.position();
        out.position(0);
        UdpResponses.encodeAnnounceHeader(out, r.transactionId(), response.interval(), response.incomplete(),
                response.complete());
        out.position(end);
        answer(Action.ANNOUNCE, family, RequestMetrics.OK, start, from);
    }

    private void afterAnnounce(AnnounceContext answered, InetSocketAddress from) {
        try {
            logic.afterAnnounce(answered);
        } catch (RuntimeException | Error e) {
            afterSendFailed(from, e);
        }
    }

    /**
     * The {@link PeerSink} the store writes an announce's peers through, straight into {@code out}. A peer of
     * another family than the request's cannot be expressed in the reply (its peer size follows the request's
     * family, BEP 15), so it is left out; the store does not select any. Its capacity is what fits one datagram.
     */
    private final class PeerWriter implements PeerSink {
        private final AddressFamily family;
        private final int capacity;

        PeerWriter(AddressFamily family) {
            this.family = family;
            this.capacity = UdpFrontend.maxPeers(family);
        }

        @Override
        public void peer(AddressFamily peerFamily, long ipHi, long ipLo, int port, long id0, long id1, int id2) {
            if (peerFamily == family) {
                UdpResponses.encodeAnnouncePeer(out, peerFamily, ipHi, ipLo, port);
            }
        }

        @Override
        public int capacity() {
            return capacity;
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

    private void scrape(UdpScrapeRequest r, InetSocketAddress from, IpAddress sourceIp, long start)
            throws ClientError {
        checkConnectionId(r.connectionId(), sourceIp);
        List<InfoHash> infoHashes = r.infoHashes();
        // the wire's limit (one answer must fit one datagram); the tracker's own limit is TrackerLogic's
        if (infoHashes.size() > UdpFrontend.MAX_SCRAPE_INFO_HASHES) {
            throw ScrapeRequest.tooManyInfoHashes(UdpFrontend.MAX_SCRAPE_INFO_HASHES, "UDP scrape");
        }
        AddressFamily family = sourceIp.family();
        ScrapeRequest request = new ScrapeRequest(infoHashes, family, emptyMeta);
        ScrapeResponse response = logic.scrape(request);
        Map<InfoHash, SwarmStats> files = response.files();
        out.clear();
        UdpResponses.encodeScrapeHeader(out, r.transactionId());
        // one entry per requested hash in request order, duplicates included: BEP 15 entries carry no key
        for (int i = 0, n = infoHashes.size(); i < n; i++) {
            SwarmStats s = files.getOrDefault(infoHashes.get(i), SwarmStats.EMPTY);
            UdpResponses.encodeScrapeEntry(out, s.complete(), (int) Math.min(s.downloaded(), Integer.MAX_VALUE),
                    s.incomplete());
        }
        answer(Action.SCRAPE, family, RequestMetrics.OK, start, from);
        if (batch != null) {
            afterScrapeRequest[slot] = request;
            afterScrapeResponse[slot] = response;
            afterFrom[slot] = from;
        } else {
            afterScrape(request, response, from);
        }
    }

    private void afterScrape(ScrapeRequest request, ScrapeResponse response, InetSocketAddress from) {
        try {
            logic.afterScrape(request, response);
        } catch (RuntimeException | Error e) {
            afterSendFailed(from, e);
        }
    }

    private void checkConnectionId(long connectionId, IpAddress sourceIp) throws ClientError {
        if (!ids.isValid(connectionId, sourceIp)) {
            throw ClientError.badRequest(INVALID_CONNECTION_ID);
        }
    }

    private void error(int transactionId, String message) {
        out.clear();
        UdpResponses.encodeError(out, transactionId, message);
    }

    /** Records the request, then sends what {@code out} holds. */
    private void answer(Action action, AddressFamily family, String result, long start, InetSocketAddress to) {
        metrics.record(Frontend.UDP, action, family, result, System.nanoTime() - start);
        out.flip();
        if (outgoing != null) {
            try {
                outgoing.outbox.queue(out, replyIp.family() == AddressFamily.IPV6, replyIp.hi(), replyIp.lo(),
                        to.getPort());
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "UDP send to " + to + " failed: " + e); // the socket closed
                return;
            }
            Burst.once(outgoing); // with the rest of this thread's burst, or now
            return;
        }
        if (batch != null) {
            batch.reply(slot, out.remaining()); // sent with the rest of the batch, to the slot's source
            return;
        }
        try {
            channel.send(out, to);
        } catch (IOException | RuntimeException e) {
            // the client's problem (unreachable, filtered) or we are closing; logging it per packet would let
            // any sender flood the log
            LOG.log(Level.DEBUG, () -> "UDP send to " + to + " failed: " + e);
        }
    }

    /** Posthooks never throw by contract; if one does anyway, the answer is already out and serving goes on. */
    private static void afterSendFailed(InetSocketAddress from, Throwable e) {
        LOG.log(Level.ERROR, "UDP after-announce work for " + from + " failed: " + e, e);
    }

    private String localAddress() {
        if (batch != null) {
            return "port " + batch.localPort();
        }
        try {
            return String.valueOf(channel.getLocalAddress());
        } catch (IOException e) {
            return "?";
        }
    }
}
