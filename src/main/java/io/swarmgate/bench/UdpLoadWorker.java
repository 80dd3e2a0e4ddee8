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
 * One UDP socket with {@code window} requests outstanding, matched to answers by transaction id. It connects
 * (BEP 15) before anything else, re-connects every minute and whenever an error packet is about the connection
 * id, as clients must. A request unanswered after the timeout counts as lost and its slot is reused. Announce
 * answers are checked from their header (action, transaction id, 20 + 6n bytes): decoding peer lists it would
 * throw away would only take CPU from the load.
 */
final class UdpLoadWorker extends Worker {
    /** Transaction ids of connects have the top bit set; announces and scrapes are {@code sequence * window + slot}. */
    private static final int CONNECT_FLAG = 0x8000_0000;
    private static final long RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** A request due sooner than this is waited for by parking briefly rather than in select (1 ms steps). */
    private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final int window;
    private final long timeoutNanos;
    private final int[] slotTx;
    private final long[] slotSentAt;
    private final boolean[] slotBusy;
    private final boolean[] slotScrape;
    private final ByteBuffer out = ByteBuffer.allocate(1500);
    private final ByteBuffer in = ByteBuffer.allocate(65_536);
    private DatagramChannel channel;
    private Selector selector;
    private int busy;
    private int sequence;
    private long connectionId;
    private long connectedAt;
    private boolean connectPending;
    private long connectSentAt;
    private boolean populating;
    private int populated;
    /** With --rate, when the next request is due; null while populating and in a closed loop. */
    private Pacer pacer;

    UdpLoadWorker(BenchPlan plan, Schedule schedule, CyclicBarrier ready, int index, long seed) {
        // one worker per socket
        super(plan, schedule, ready, index, plan.sockets(), seed);
        this.window = plan.window();
        this.timeoutNanos = plan.timeout().toNanos();
        this.slotTx = new int[window];
        this.slotSentAt = new long[window];
        this.slotBusy = new boolean[window];
        this.slotScrape = new boolean[window];
    }

    @Override
    void prepare() throws IOException {
        channel = DatagramChannel.open();
        selector = Selector.open();
        channel.connect(plan.target()); // only the target's packets reach this socket
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ);
        connectBlocking();
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
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // nothing left to measure
        }
    }

    private boolean sending(long now) {
        return populating ? populated < peers.size() : now < schedule.end();
    }

    /**
     * Keeps the window full while {@link #sending} (with --rate: sends each request when it is due and a slot is
     * free), then waits for the stragglers, at most one timeout.
     */
    private void pump() throws IOException {
        long now = System.nanoTime();
        if (pacer == null) {
            for (int slot = 0; slot < window && sending(now); slot++) {
                send(slot, now);
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
            if (receiveOrWait()) {
                handle(System.nanoTime());
            }
        }
    }

    private void expire(long now) throws IOException {
        for (int slot = 0; slot < window; slot++) {
            if (slotBusy[slot] && now - slotSentAt[slot] > timeoutNanos) {
                stats.timeouts++;
                free(slot, now);
            }
        }
        if (connectPending && now - connectSentAt > timeoutNanos) {
            connectPending = false; // lost: the next error packet or the minute mark retries
        }
        if (!connectPending && now - connectedAt > RECONNECT_NANOS) {
            sendConnect(now);
        }
    }

    private void free(int slot, long now) throws IOException {
        slotBusy[slot] = false;
        busy--;
        if (pacer == null && sending(now)) {
            send(slot, now);
        }
    }

    /** Open loop: every request due by now goes out while a slot is free, stamped with the time it was due. */
    private void sendDue(long now) throws IOException {
        int slot = 0;
        while (busy < window && pacer.due() <= now && pacer.due() < schedule.end()) {
            while (slotBusy[slot]) {
                slot++;
            }
            send(slot, pacer.due());
            pacer.sent();
        }
    }

    private void handle(long now) throws IOException {
        if (in.remaining() < UdpResponses.HEADER_LENGTH) {
            stats.malformed++;
            return;
        }
        int action = in.getInt(0);
        int tx = in.getInt(4);
        if ((tx & CONNECT_FLAG) != 0) {
            if (action == 0) {
                acceptConnect(now);
            }
            return;
        }
        int slot = tx % window;
        if (slot < 0 || !slotBusy[slot] || slotTx[slot] != tx) {
            return; // a late answer to a request already counted as lost
        }
        boolean measured = inWindow(slotSentAt[slot]);
        int body = in.remaining() - UdpResponses.HEADER_LENGTH;
        if (action == 1 && !slotScrape[slot]) {
            int peerBytes = in.remaining() - UdpResponses.ANNOUNCE_HEADER_LENGTH;
            if (peerBytes < 0 || peerBytes % 6 != 0) {
                stats.malformed++;
            } else {
                stats.answered(measured, now - slotSentAt[slot], true, peerBytes / 6);
            }
        } else if (action == 2 && slotScrape[slot]) {
            if (body != UdpResponses.SCRAPE_ENTRY_LENGTH) {
                stats.malformed++;
            } else {
                stats.answered(measured, now - slotSentAt[slot], false, 0);
            }
        } else if (action == 3) {
            String message = message();
            stats.failed(message);
            if (message.contains("connection") && !connectPending) {
                sendConnect(now);
            }
        } else {
            stats.malformed++;
        }
        free(slot, now);
    }

    /** One datagram into {@code in}, flipped; with none waiting, waits a tenth of the timeout and says false. */
    private boolean receiveOrWait() throws IOException {
        in.clear();
        boolean got;
        try {
            got = channel.receive(in) != null;
        } catch (PortUnreachableException e) {
            stats.unreachable++; // tracker down or restarting: the requests it cost time out
            got = false;
        }
        if (!got) {
            long millis = plan.timeout().toMillis() / 10;
            if (pacer != null && busy < window) {
                long until = pacer.due() - System.nanoTime();
                if (until < SPIN_NANOS) {
                    LockSupport.parkNanos(Math.clamp(until, 0, 50_000));
                    return false;
                }
                millis = Math.min(millis, until / 1_000_000);
            }
            selector.select(Math.max(1, millis));
            selector.selectedKeys().clear();
            return false;
        }
        in.flip();
        return true;
    }

    private void write() throws IOException {
        try {
            channel.write(out);
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

    private void acceptConnect(long now) {
        try {
            if (UdpResponses.decode(in, AddressFamily.IPV4) instanceof UdpConnectResponse r) {
                connectionId = r.connectionId();
                connectedAt = now;
                connectPending = false;
                stats.connects++;
            }
        } catch (UdpCodecException e) {
            stats.malformed++;
        }
    }

    private void sendConnect(long now) throws IOException {
        out.clear();
        UdpRequests.encode(out, new UdpConnectRequest(CONNECT_FLAG | (int) (now & 0xffff)));
        out.flip();
        write();
        connectPending = true;
        connectSentAt = now;
    }

    private void connectBlocking() throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            sendConnect(System.nanoTime());
            long deadline = System.nanoTime() + timeoutNanos;
            while (System.nanoTime() < deadline) {
                if (receiveOrWait() && in.remaining() >= 8 && in.getInt(0) == 0
                        && (in.getInt(4) & CONNECT_FLAG) != 0) {
                    acceptConnect(System.nanoTime());
                    return;
                }
            }
        }
        throw new IOException("no BEP 15 connect answer from " + plan.target() + " after 5 attempts");
    }

    private void send(int slot, long now) throws IOException {
        sequence = sequence + 1 == Integer.MAX_VALUE / window ? 1 : sequence + 1;
        int tx = sequence * window + slot; // positive, below the connect flag; slot = tx % window
        boolean scrape = plan.scrape() && !populating;
        out.clear();
        if (scrape) {
            UdpRequests.encode(out, new UdpScrapeRequest(connectionId, tx,
                    List.of(plan.workload().infoHash(peers.randomSwarm()))));
        } else {
            int k = peers.next();
            if (populating) {
                populated++;
            }
            int swarm = peers.swarm(k);
            String token = plan.workload().token(swarm);
            UdpRequests.encode(out, new UdpAnnounceRequest(connectionId, tx, plan.workload().infoHash(swarm),
                    peers.id(k), 0, peers.left(k), 0, peers.event(k), 0, k, plan.workload().numWant(),
                    peers.port(k), token.isEmpty() ? "" : "/announce?jwt=" + token));
        }
        out.flip();
        slotTx[slot] = tx;
        slotSentAt[slot] = now;
        slotScrape[slot] = scrape;
        slotBusy[slot] = true;
        busy++;
        write();
    }
}
