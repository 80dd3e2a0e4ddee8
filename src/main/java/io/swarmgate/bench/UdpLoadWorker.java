package io.swarmgate.bench;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpRequests;
import io.swarmgate.protocol.udp.UdpResponses;
import io.swarmgate.protocol.udp.UdpCodecException;
import io.swarmgate.protocol.udp.UdpConnectRequest;
import io.swarmgate.protocol.udp.UdpConnectResponse;
import io.swarmgate.protocol.udp.UdpErrorResponse;
import io.swarmgate.protocol.udp.UdpResponse;
import io.swarmgate.protocol.udp.UdpScrapeRequest;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread driving its share of the UDP sockets through one {@link Selector}, each socket with {@code window}
 * requests outstanding, matched to answers by transaction id. One thread per core rather than one per socket:
 * sixteen threads each pacing its own socket on one core measured their own scheduling (the generator's core
 * full at half the tracker's peak), not the tracker. Every socket connects (BEP 15) before anything else,
 * re-connects every minute and whenever an error packet is about the connection id, as clients must. A request
 * unanswered after the timeout counts as lost and its slot is reused. Announce answers are checked from their
 * header (action, transaction id, 20 + 6n bytes): decoding peer lists it would throw away would only take CPU
 * from the load.
 */
final class UdpLoadWorker extends Worker {
    /** Transaction ids of connects have the top bit set; announces and scrapes are {@code sequence * window + slot}. */
    private static final int CONNECT_FLAG = 0x8000_0000;
    private static final long RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * Open loop, with a request due within this long, a thread that has a core of its own polls its sockets
     * instead of sleeping. A sleeping generator measured its own wake-ups: at 55,000/s it parked ~15,000 times
     * a second, and this VM wakes a parked thread over 1 ms late 13-22 times per 10 s (docs/perf-data/
     * Hiccup.java), each time sending the 50-200 requests due meanwhile late together and reading the answers
     * that arrived meanwhile late: its send-lag p99 was 1.7-1.9 ms, most of the p99 it reported.
     */
    private static final long POLL_NANOS = 500_000;
    /**
     * With a request due within a millisecond (the selector's finest timeout) but not within {@link #POLL_NANOS},
     * or with no core of its own, the thread parks instead, at most this long: an answer arriving meanwhile is
     * read up to this late. Linux's default timer slack (50 µs) makes a shorter park no more precise, only more
     * frequent.
     */
    private static final long PARK_NANOS = 50_000;

    private final int window;
    private final long timeoutNanos;
    private final Socket[] sockets;
    /** No more of these threads than cores this process may use: each may poll instead of sleeping. */
    private final boolean ownsCore;
    private final ByteBuffer out = ByteBuffer.allocate(1500);
    private final ByteBuffer in = ByteBuffer.allocate(65_536);
    private Selector selector;
    /** Requests outstanding over all of this thread's sockets. */
    private int busy;
    /** The socket an open-loop send tries first: round robin, so the load is spread over the sockets. */
    private int next;
    private boolean populating;
    private int populated;
    /** With --rate, when this thread's next request is due; null while populating and in a closed loop. */
    private Pacer pacer;
    /**
     * Open loop: when the generator last stopped waiting with every slot taken and no answer left to read. A
     * request due before then waited for the tracker's answers, not for the generator, so its service time counts
     * from when it was due.
     */
    private long windowFullAt = Long.MIN_VALUE;

    /** One client socket and its window of outstanding requests. */
    private final class Socket {
        final int[] slotTx = new int[window];
        /** When each request was due (open loop) or sent: what its latency is counted from. */
        final long[] slotSentAt = new long[window];
        /** When it left (or was due, if it waited for a free slot): what its service time is counted from. */
        final long[] slotLeftAt = new long[window];
        /**
         * When it was written to the socket: what its timeout counts from. Not its due time, or a generator that
         * fell behind its schedule would count requests it sent late as lost the moment it sent them.
         */
        final long[] slotWrittenAt = new long[window];
        final boolean[] slotBusy = new boolean[window];
        final boolean[] slotScrape = new boolean[window];
        /** Per slot the transaction id of its last request counted as timed out (0: none yet). */
        final int[] slotLostTx = new int[window];
        DatagramChannel channel;
        int busy;
        int sequence;
        long connectionId;
        long connectedAt;
        boolean connected;
        boolean connectPending;
        long connectSentAt;
    }

    /** Thread {@code index} of {@code threads}: sockets {@code index}, {@code index + threads}, ... of the plan. */
    UdpLoadWorker(BenchPlan plan, Schedule schedule, CyclicBarrier ready, int index, int threads, long seed) {
        super(plan, schedule, ready, index, threads, seed);
        this.window = plan.window();
        this.timeoutNanos = plan.timeout().toNanos();
        this.sockets = new Socket[(plan.sockets() - index + threads - 1) / threads];
        this.ownsCore = threads <= Runtime.getRuntime().availableProcessors();
        for (int s = 0; s < sockets.length; s++) {
            sockets[s] = new Socket();
        }
    }

    @Override
    void prepare() throws IOException {
        selector = Selector.open();
        for (Socket s : sockets) {
            s.channel = DatagramChannel.open();
            s.channel.connect(plan.target()); // only the target's packets reach this socket
            s.channel.configureBlocking(false);
            s.channel.register(selector, SelectionKey.OP_READ, s);
        }
        connectAll();
        if (plan.scrape()) {
            populating = true;
            pump();
            populating = false;
        }
    }

    @Override
    void load() throws IOException {
        pacer = pacer();
        pump();
    }

    @Override
    void close() {
        try {
            if (selector != null) {
                selector.close();
            }
            for (Socket s : sockets) {
                if (s.channel != null) {
                    s.channel.close();
                }
            }
        } catch (IOException e) {
            // nothing left to measure
        }
    }

    private boolean sending(long now) {
        return populating ? populated < peers.size() : now < schedule.end();
    }

    /**
     * Keeps every window full while {@link #sending} (with --rate: sends each request when it is due and a slot
     * is free), then waits for the stragglers, at most one timeout.
     */
    private void pump() throws IOException {
        long now = System.nanoTime();
        if (pacer == null) {
            for (Socket s : sockets) {
                for (int slot = 0; slot < window && sending(now); slot++) {
                    send(s, slot, now, now);
                }
            }
        }
        long lastScan = now;
        while (busy > 0 || pacer != null && pacer.due() < schedule.end()) {
            now = System.nanoTime();
            if (now - lastScan > timeoutNanos / 10) {
                lastScan = now;
                expire(now);
            }
            if (pacer != null) {
                sendDue(now);
            }
            if (selector.selectNow(this::drain) == 0) {
                // Every slot taken and, with everything read, no answer waiting: whatever falls due until the
                // wait below ends waits for the tracker. (Slots taken while answers wait unread are the
                // generator's lateness, not the tracker's: then selectNow found them.)
                boolean full = pacer != null && busy == sockets.length * window;
                await(now);
                if (full) {
                    windowFullAt = System.nanoTime();
                }
            }
        }
    }

    /**
     * Nothing to read: sleeps until the next request is due or, with none due soon, until a socket has an
     * answer (or a tenth of the timeout has passed, to look for lost requests). With a request due within
     * {@link #POLL_NANOS} and a core of its own it returns at once, so the caller polls the sockets again.
     */
    private void await(long now) throws IOException {
        long until = timeoutNanos / 10;
        if (pacer != null && busy < sockets.length * window) {
            until = Math.min(until, pacer.due() - now);
        }
        if (until >= MILLI) {
            selector.select(this::drain, until / MILLI);
        } else if (ownsCore && until <= POLL_NANOS) {
            Thread.onSpinWait();
        } else if (until > 0) {
            LockSupport.parkNanos(Math.min(until - (ownsCore ? POLL_NANOS : 0), PARK_NANOS));
        }
    }

    /** Every datagram waiting on a ready socket. */
    private void drain(SelectionKey key) {
        Socket s = (Socket) key.attachment();
        try {
            while (receive(s)) {
                handle(s, System.nanoTime());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void expire(long now) throws IOException {
        for (Socket s : sockets) {
            for (int slot = 0; slot < window; slot++) {
                if (s.slotBusy[slot] && now - s.slotWrittenAt[slot] > timeoutNanos) {
                    stats.timeouts++;
                    s.slotLostTx[slot] = s.slotTx[slot];
                    free(s, slot, now);
                }
            }
            if (s.connectPending && now - s.connectSentAt > timeoutNanos) {
                s.connectPending = false; // lost: the next error packet or the minute mark retries
            }
            if (!s.connectPending && now - s.connectedAt > RECONNECT_NANOS) {
                sendConnect(s, now);
            }
        }
    }

    private void free(Socket s, int slot, long now) throws IOException {
        s.slotBusy[slot] = false;
        s.busy--;
        busy--;
        if (pacer == null && sending(now)) {
            send(s, slot, now, now);
        }
    }

    /** Open loop: every request due by now goes out while a slot is free, stamped with the time it was due. */
    private void sendDue(long now) throws IOException {
        while (busy < sockets.length * window && pacer.due() <= now && pacer.due() < schedule.end()) {
            while (sockets[next].busy == window) {
                next = (next + 1) % sockets.length;
            }
            Socket s = sockets[next];
            next = (next + 1) % sockets.length;
            int slot = 0;
            while (s.slotBusy[slot]) {
                slot++;
            }
            send(s, slot, pacer.due(), windowFullAt >= pacer.due() ? pacer.due() : now);
            stats.sent(inWindow(pacer.due()), now - pacer.due());
            pacer.sent();
        }
    }

    private void handle(Socket s, long now) throws IOException {
        if (in.remaining() < UdpResponses.HEADER_LENGTH) {
            stats.malformed++;
            return;
        }
        int action = in.getInt(0);
        int tx = in.getInt(4);
        if ((tx & CONNECT_FLAG) != 0) {
            if (action == 0) {
                acceptConnect(s, now);
            }
            return;
        }
        int slot = tx % window;
        if (slot < 0 || !s.slotBusy[slot] || s.slotTx[slot] != tx) {
            // a late answer to a request already counted as lost, or one that answers nothing sent
            if (slot >= 0 && tx != 0 && s.slotLostTx[slot] == tx) {
                stats.late++;
            } else {
                stats.stray++;
            }
            return;
        }
        boolean measured = inWindow(s.slotSentAt[slot]);
        int body = in.remaining() - UdpResponses.HEADER_LENGTH;
        if (action == 1 && !s.slotScrape[slot]) {
            int peerBytes = in.remaining() - UdpResponses.ANNOUNCE_HEADER_LENGTH;
            if (peerBytes < 0 || peerBytes % 6 != 0) {
                stats.malformed++;
            } else {
                stats.answered(measured, now - s.slotSentAt[slot], now - s.slotLeftAt[slot], true, peerBytes / 6);
            }
        } else if (action == 2 && s.slotScrape[slot]) {
            if (body != UdpResponses.SCRAPE_ENTRY_LENGTH) {
                stats.malformed++;
            } else {
                stats.answered(measured, now - s.slotSentAt[slot], now - s.slotLeftAt[slot], false, 0);
            }
        } else if (action == 3) {
            String message = message();
            stats.failed(message);
            if (message.contains("connection") && !s.connectPending) {
                sendConnect(s, now);
            }
        } else {
            stats.malformed++;
        }
        free(s, slot, now);
    }

    /** One datagram of {@code s} into {@code in}, flipped; false when none is waiting. */
    private boolean receive(Socket s) throws IOException {
        in.clear();
        try {
            if (s.channel.receive(in) == null) {
                return false;
            }
        } catch (PortUnreachableException e) {
            stats.unreachable++; // tracker down or restarting: the requests it cost time out
            return false;
        }
        in.flip();
        return true;
    }

    private void write(Socket s) throws IOException {
        try {
            s.channel.write(out);
        } catch (PortUnreachableException e) {
            stats.unreachable++;
        }
    }

    private String message() {
        try {
            UdpResponse r = UdpResponses.decode(in, AddressFamily.IPV4);
            return r instanceof UdpErrorResponse e ? e.message() : "";
        } catch (UdpCodecException e) {
            return "";
        }
    }

    private void acceptConnect(Socket s, long now) {
        try {
            if (UdpResponses.decode(in, AddressFamily.IPV4) instanceof UdpConnectResponse r) {
                s.connectionId = r.connectionId();
                s.connectedAt = now;
                s.connected = true;
                s.connectPending = false;
                stats.connects++;
            }
        } catch (UdpCodecException e) {
            stats.malformed++;
        }
    }

    private void sendConnect(Socket s, long now) throws IOException {
        out.clear();
        UdpRequests.encode(out, new UdpConnectRequest(CONNECT_FLAG | (int) (now & 0xffff)));
        out.flip();
        write(s);
        s.connectPending = true;
        s.connectSentAt = now;
    }

    /** The BEP 15 handshake on every socket, up to 5 attempts of one timeout each. */
    private void connectAll() throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            int waiting = 0;
            for (Socket s : sockets) {
                if (!s.connected) {
                    sendConnect(s, System.nanoTime());
                    waiting++;
                }
            }
            long deadline = System.nanoTime() + timeoutNanos;
            long left;
            while (waiting > 0 && (left = deadline - System.nanoTime()) > 0) {
                selector.select(Math.max(1, left / MILLI));
                for (SelectionKey key : selector.selectedKeys()) {
                    Socket s = (Socket) key.attachment();
                    while (receive(s)) {
                        if (!s.connected && in.remaining() >= 8 && in.getInt(0) == 0
                                && (in.getInt(4) & CONNECT_FLAG) != 0) {
                            acceptConnect(s, System.nanoTime());
                            waiting -= s.connected ? 1 : 0;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            if (waiting == 0) {
                return;
            }
        }
        throw new IOException("no BEP 15 connect answer from " + plan.target() + " after 5 attempts");
    }

    /**
     * A request into {@code slot}, its latency counted from {@code stamp} (when it was due, or sent in a closed
     * loop) and its service time from {@code left}: when it left or, if it had to wait for a free slot, when it
     * was due.
     */
    private void send(Socket s, int slot, long stamp, long left) throws IOException {
        s.sequence = s.sequence + 1 == Integer.MAX_VALUE / window ? 1 : s.sequence + 1;
        int tx = s.sequence * window + slot; // positive, below the connect flag; slot = tx % window
        boolean scrape = plan.scrape() && !populating;
        out.clear();
        if (scrape) {
            UdpRequests.encode(out, new UdpScrapeRequest(s.connectionId, tx,
                    List.of(plan.workload().infoHash(peers.randomSwarm()))));
        } else {
            int k = peers.next();
            if (populating) {
                populated++;
            }
            int swarm = peers.swarm(k);
            String token = plan.workload().token(swarm);
            UdpRequests.encode(out, new UdpAnnounceRequest(s.connectionId, tx, plan.workload().infoHash(swarm),
                    peers.id(k), 0, peers.left(k), 0, peers.event(k), 0, k, plan.workload().numWant(),
                    peers.port(k), token.isEmpty() ? "" : "/announce?jwt=" + token));
        }
        out.flip();
        s.slotTx[slot] = tx;
        s.slotSentAt[slot] = stamp;
        s.slotLeftAt[slot] = left;
        s.slotWrittenAt[slot] = System.nanoTime();
        s.slotScrape[slot] = scrape;
        s.slotBusy[slot] = true;
        s.busy++;
        busy++;
        write(s);
    }
}
