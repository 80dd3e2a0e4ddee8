package io.swarmgate.tools;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpCodec;
import io.swarmgate.protocol.udp.UdpCodecException;
import io.swarmgate.protocol.udp.UdpConnectRequest;
import io.swarmgate.protocol.udp.UdpConnectResponse;
import io.swarmgate.protocol.udp.UdpErrorResponse;
import io.swarmgate.protocol.udp.UdpResponse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A bounded BEP 15 announce load generator for a tracker on this machine (loopback only).
 *
 * <p>Each of {@code --threads} threads owns one UDP socket, connects once (connection ids are bound to the
 * address and valid for two minutes; it re-connects on an error packet and every minute, as BEP 15 asks of
 * clients), then runs a closed loop with {@code --window} announces outstanding, matching replies by
 * transaction id. A request unanswered after {@code --timeout-ms} is counted as lost and its slot reused. The
 * simulated peers ({@code --peers}, spread round-robin over {@code --torrents} info hashes, split between the
 * threads) start with event "started", then re-announce with no event; a fifth of each swarm seeds. After
 * {@code --warmup} seconds that are not counted (JIT of both sides), it measures for {@code --seconds} and exits.
 *
 * <p>Requests are built with the project's {@link UdpCodec}; announce replies are checked (action, transaction
 * id, 20 + 6n bytes) from their header only, so the generator spends its CPU share on sending, not on building
 * peer lists it would throw away. Connect and error replies go through the full decoder.
 *
 * <pre>
 * UdpLoad --target 127.0.0.1:6969 [--seconds 10] [--warmup 2] [--threads 1] [--window 64] [--torrents 1000]
 *         [--peers 50000] [--numwant -1] [--timeout-ms 1000] [--tracker-pid PID]
 * UdpLoad --print-infohashes [--torrents 1000]    (a whitelist for trackers that need one)
 * </pre>
 */
public final class UdpLoad {
    private static final int CONNECT_FLAG = 0x8000_0000;
    /** Latency buckets: 1 µs below 10 ms, then 100 µs up to 10 s. */
    private static final int FINE_MICROS = 10_000;
    private static final int COARSE_STEP = 100;
    private static final int BUCKETS = FINE_MICROS + 10_000_000 / COARSE_STEP;

    private UdpLoad() {
    }

    record Options(InetSocketAddress target, int seconds, int warmup, int threads, int window, int torrents,
                   int peers, int numWant, int timeoutMs, long trackerPid) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        int torrents = Integer.parseInt(a.getOrDefault("torrents", "1000"));
        if (a.containsKey("print-infohashes")) {
            HexFormat hex = HexFormat.of();
            for (int t = 0; t < torrents; t++) {
                System.out.println(hex.formatHex(infoHashBytes(t)));
            }
            return;
        }
        String target = a.get("target");
        if (target == null) {
            throw new IllegalArgumentException("--target host:port is required (loopback only)");
        }
        int colon = target.lastIndexOf(':');
        String host = target.substring(0, colon).replace("[", "").replace("]", "");
        InetAddress address = InetAddress.getByName(host);
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("refusing non-loopback target " + address.getHostAddress()
                    + ": this tool only loads a tracker on this machine");
        }
        Options o = new Options(new InetSocketAddress(address, Integer.parseInt(target.substring(colon + 1))),
                Integer.parseInt(a.getOrDefault("seconds", "10")),
                Integer.parseInt(a.getOrDefault("warmup", "2")),
                Integer.parseInt(a.getOrDefault("threads", "1")),
                Integer.parseInt(a.getOrDefault("window", "64")),
                torrents,
                Integer.parseInt(a.getOrDefault("peers", "50000")),
                Integer.parseInt(a.getOrDefault("numwant", "-1")),
                Integer.parseInt(a.getOrDefault("timeout-ms", "1000")),
                Long.parseLong(a.getOrDefault("tracker-pid", "0")));
        if (o.seconds < 1 || o.seconds > 600 || o.warmup < 0 || o.warmup > 60 || o.threads < 1 || o.threads > 16
                || o.window < 1 || o.window > 4096 || o.torrents < 1 || o.peers < o.threads || o.timeoutMs < 10) {
            throw new IllegalArgumentException("out of range: " + o);
        }
        run(o);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            if (key.equals("print-infohashes")) {
                m.put(key, "");
            } else if (i + 1 < args.length) {
                m.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + key + " needs a value");
            }
        }
        return m;
    }

    static byte[] infoHashBytes(int torrent) {
        ByteBuffer b = ByteBuffer.allocate(20);
        long x = 0x5377_6172_6d67_6174L ^ torrent; // "Swarmgat" xor index, then mixed
        for (int k = 0; k < 2; k++) {
            x = mix(x + k);
            b.putLong(x);
        }
        b.putInt((int) mix(x + 7));
        return b.array();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static void run(Options o) throws Exception {
        List<Sender> senders = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(o.warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(o.seconds);
        for (int t = 0; t < o.threads; t++) {
            Sender s = new Sender(o, t, measureFrom, end);
            senders.add(s);
            Thread thread = Thread.ofPlatform().name("udpload-" + t).start(s);
            threads.add(thread);
        }
        // CPU time of the tracker and of this process over exactly the measured window (Linux /proc)
        sleepUntil(measureFrom);
        long trackerTicks0 = cpuTicks(o.trackerPid);
        long selfTicks0 = cpuTicks(ProcessHandle.current().pid());
        sleepUntil(end);
        long trackerTicks = cpuTicks(o.trackerPid) - trackerTicks0;
        long selfTicks = cpuTicks(ProcessHandle.current().pid()) - selfTicks0;
        for (Thread thread : threads) {
            thread.join();
        }
        long answered = 0;
        long sent = 0;
        long timeouts = 0;
        long errors = 0;
        long reconnects = 0;
        long bad = 0;
        long peers = 0;
        long unreachable = 0;
        long[] histogram = new long[BUCKETS];
        for (Sender s : senders) {
            if (s.failure != null) {
                throw s.failure;
            }
            answered += s.answered;
            sent += s.sent;
            timeouts += s.timeouts;
            errors += s.errors;
            reconnects += s.reconnects;
            bad += s.bad;
            peers += s.peersReceived;
            unreachable += s.unreachable;
            for (int i = 0; i < BUCKETS; i++) {
                histogram[i] += s.histogram[i];
            }
        }
        double rate = answered / (double) o.seconds;
        double lossPct = sent == 0 ? 0 : 100.0 * timeouts / sent;
        double p50 = percentile(histogram, answered, 0.50);
        double p99 = percentile(histogram, answered, 0.99);
        double trackerCores = trackerTicks < 0 || o.trackerPid <= 0 ? Double.NaN : trackerTicks / 100.0 / o.seconds;
        double selfCores = selfTicks < 0 ? Double.NaN : selfTicks / 100.0 / o.seconds;
        double trackerMicrosPerAnnounce = answered == 0 ? Double.NaN : trackerCores * o.seconds * 1e6 / answered;
        double peersPerReply = answered == 0 ? 0 : peers / (double) answered;
        String firstError = senders.stream().map(s -> s.firstError).filter(e -> e != null).findFirst().orElse("");
        System.out.printf(Locale.ROOT, "udpload %s: %.0f announces/s answered over %d s (%d threads x window %d);"
                        + " %d sent, %d timed out (%.3f%%), %d error packets%s, %d malformed; %.1f peers per reply;"
                        + " latency p50 %.0f µs, p99 %.0f µs; CPU: %s load generator %.2f cores%n",
                o.target, rate, o.seconds, o.threads, o.window, sent, timeouts, lossPct, errors,
                firstError.isEmpty() ? "" : " (first: \"" + firstError + "\")", bad, peersPerReply, p50, p99,
                Double.isNaN(trackerCores) ? "" : String.format(Locale.ROOT,
                        "tracker %.2f cores (%.2f µs per announce),", trackerCores, trackerMicrosPerAnnounce),
                selfCores);
        System.out.printf(Locale.ROOT, "UDPLOAD target=%s seconds=%d threads=%d window=%d torrents=%d peers=%d"
                        + " sent=%d answered=%d announces_per_s=%.0f timeouts=%d loss_pct=%.4f errors=%d"
                        + " malformed=%d unreachable=%d reconnects=%d peers_per_reply=%.1f p50_us=%.0f p99_us=%.0f"
                        + " tracker_cores=%.3f tracker_cpu_us_per_announce=%.3f loadgen_cores=%.3f%n",
                o.target.getAddress().getHostAddress() + ":" + o.target.getPort(), o.seconds, o.threads, o.window,
                o.torrents, o.peers, sent, answered, rate, timeouts, lossPct, errors, bad, unreachable, reconnects,
                peersPerReply,
                p50, p99, trackerCores, trackerMicrosPerAnnounce, selfCores);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** utime + stime in clock ticks (USER_HZ, 100 on Linux), or -1 when unknown. */
    private static long cpuTicks(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double percentile(long[] histogram, long count, double q) {
        if (count == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * count);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return i < FINE_MICROS ? i : FINE_MICROS + (double) (i - FINE_MICROS) * COARSE_STEP;
            }
        }
        return Double.NaN;
    }

    /** One socket's closed loop; all counters are its own until the threads are joined. */
    static final class Sender implements Runnable {
        private final Options o;
        private final long measureFrom;
        private final long end;
        private final InfoHash[] infoHashes;
        private final int[] peerIndex; // the global peer numbers this sender plays
        private final boolean[] started;
        private int nextPeer;
        private final int[] slotTx;
        private final long[] slotSentAt;
        private final boolean[] slotMeasured;
        private int sequence;
        private long connectionId;
        private long connectedAt;
        private boolean connectPending;
        private long connectSentAt;

        final long[] histogram = new long[BUCKETS];
        long sent;
        long answered;
        long timeouts;
        long errors;
        long reconnects;
        long bad;
        long unreachable;
        long peersReceived;
        String firstError;
        Exception failure;

        Sender(Options o, int index, long measureFrom, long end) {
            this.o = o;
            this.measureFrom = measureFrom;
            this.end = end;
            this.infoHashes = new InfoHash[o.torrents];
            for (int t = 0; t < o.torrents; t++) {
                infoHashes[t] = InfoHash.of(infoHashBytes(t));
            }
            int mine = (o.peers - index + o.threads - 1) / o.threads;
            this.peerIndex = new int[mine];
            for (int k = 0; k < mine; k++) {
                peerIndex[k] = index + k * o.threads;
            }
            this.started = new boolean[mine];
            this.slotTx = new int[o.window];
            this.slotSentAt = new long[o.window];
            this.slotMeasured = new boolean[o.window];
        }

        @Override
        public void run() {
            try (DatagramChannel channel = DatagramChannel.open();
                 Selector selector = Selector.open()) {
                channel.connect(o.target); // only the target's packets reach this socket
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                loop(channel, selector);
            } catch (Exception e) {
                failure = e;
            }
        }

        private void loop(DatagramChannel channel, Selector selector) throws IOException {
            ByteBuffer out = ByteBuffer.allocate(1500);
            ByteBuffer in = ByteBuffer.allocate(65_536);
            connectBlocking(channel, selector, out, in);
            long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(o.timeoutMs);
            for (int slot = 0; slot < o.window; slot++) {
                sendAnnounce(channel, out, slot, System.nanoTime());
            }
            long lastTimeoutScan = System.nanoTime();
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    return;
                }
                if (now - lastTimeoutScan > timeoutNanos / 10) {
                    lastTimeoutScan = now;
                    for (int slot = 0; slot < o.window; slot++) {
                        if (now - slotSentAt[slot] > timeoutNanos) {
                            if (slotMeasured[slot]) {
                                timeouts++;
                            }
                            sendAnnounce(channel, out, slot, now);
                        }
                    }
                    if (connectPending && now - connectSentAt > timeoutNanos) {
                        connectPending = false; // lost: the next error or the minute mark retries
                    }
                    if (!connectPending && now - connectedAt > TimeUnit.SECONDS.toNanos(60)) {
                        sendConnect(channel, out, now);
                    }
                }
                if (!receiveOrWait(channel, selector, in)) {
                    continue;
                }
                handle(channel, out, in, System.nanoTime());
            }
        }

        private void handle(DatagramChannel channel, ByteBuffer out, ByteBuffer in, long now) throws IOException {
            if (in.remaining() < UdpCodec.RESPONSE_HEADER_LENGTH) {
                bad++;
                return;
            }
            int action = in.getInt(0);
            int tx = in.getInt(4);
            if ((tx & CONNECT_FLAG) != 0) {
                if (action == 0) {
                    acceptConnect(in, now);
                }
                return;
            }
            int slot = tx % o.window;
            if (slot < 0 || slotTx[slot] != tx) {
                return; // a late answer to a request already counted as lost
            }
            if (action == 1) {
                int body = in.remaining() - UdpCodec.ANNOUNCE_RESPONSE_HEADER_LENGTH;
                if (body < 0 || body % 6 != 0) {
                    bad++;
                } else if (slotMeasured[slot]) {
                    peersReceived += body / 6;
                }
            } else if (action == 3) {
                if (slotMeasured[slot]) {
                    errors++;
                }
                String message = message(in);
                if (firstError == null && slotMeasured[slot]) {
                    firstError = message;
                }
                if (message.contains("connection") && !connectPending) {
                    sendConnect(channel, out, now);
                }
            } else {
                bad++;
            }
            if (action == 1 && slotMeasured[slot]) {
                answered++;
                long micros = (now - slotSentAt[slot]) / 1000;
                histogram[micros < FINE_MICROS ? (int) micros
                        : (int) Math.min(BUCKETS - 1, FINE_MICROS + (micros - FINE_MICROS) / COARSE_STEP)]++;
            }
            sendAnnounce(channel, out, slot, now);
        }

        /**
         * A connected UDP socket reports an ICMP port unreachable (tracker down or restarting) on its next call;
         * that is counted, and the requests it cost time out as losses.
         */
        /**
         * One datagram into {@code in}, flipped for reading; with none waiting, waits up to a tenth of the
         * request timeout for one and returns false.
         */
        private boolean receiveOrWait(DatagramChannel channel, Selector selector, ByteBuffer in)
                throws IOException {
            in.clear();
            if (receive(channel, in) == null) {
                selector.select(Math.max(1, o.timeoutMs / 10));
                selector.selectedKeys().clear();
                return false;
            }
            in.flip();
            return true;
        }

        private SocketAddress receive(DatagramChannel channel, ByteBuffer in) throws IOException {
            try {
                return channel.receive(in);
            } catch (PortUnreachableException e) {
                unreachable++;
                return null;
            }
        }

        private void write(DatagramChannel channel, ByteBuffer out) throws IOException {
            try {
                channel.write(out);
            } catch (PortUnreachableException e) {
                unreachable++;
            }
        }

        private static String message(ByteBuffer in) {
            try {
                UdpResponse r = UdpCodec.decodeResponse(in, AddressFamily.IPV4);
                return r instanceof UdpErrorResponse e ? e.message() : "";
            } catch (UdpCodecException e) {
                return "";
            }
        }

        private void acceptConnect(ByteBuffer in, long now) {
            try {
                if (UdpCodec.decodeResponse(in, AddressFamily.IPV4) instanceof UdpConnectResponse r) {
                    connectionId = r.connectionId();
                    connectedAt = now;
                    connectPending = false;
                    reconnects++;
                }
            } catch (UdpCodecException e) {
                bad++;
            }
        }

        private void sendConnect(DatagramChannel channel, ByteBuffer out, long now) throws IOException {
            out.clear();
            UdpCodec.encodeRequest(out, new UdpConnectRequest(CONNECT_FLAG | (int) (now & 0xffff)));
            out.flip();
            write(channel, out);
            connectPending = true;
            connectSentAt = now;
        }

        private void connectBlocking(DatagramChannel channel, Selector selector, ByteBuffer out, ByteBuffer in)
                throws IOException {
            for (int attempt = 0; attempt < 5; attempt++) {
                sendConnect(channel, out, System.nanoTime());
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.timeoutMs);
                while (System.nanoTime() < deadline) {
                    if (!receiveOrWait(channel, selector, in)) {
                        continue;
                    }
                    if (in.remaining() >= 8 && in.getInt(0) == 0) {
                        acceptConnect(in, System.nanoTime());
                        reconnects = 0;
                        return;
                    }
                }
            }
            throw new IOException("no connect response from " + o.target + " after 5 attempts");
        }

        private void sendAnnounce(DatagramChannel channel, ByteBuffer out, int slot, long now) throws IOException {
            int k = nextPeer;
            nextPeer = nextPeer + 1 == peerIndex.length ? 0 : nextPeer + 1;
            int peer = peerIndex[k];
            int event = started[k] ? 0 : 2;
            started[k] = true;
            long left = (peer / o.torrents) % 5 == 0 ? 0 : 1_000_000; // a fifth of every swarm seeds
            sequence = sequence + 1 == Integer.MAX_VALUE / o.window ? 1 : sequence + 1;
            int tx = sequence * o.window + slot; // positive, below the connect flag; slot = tx % window
            slotTx[slot] = tx;
            slotSentAt[slot] = now;
            slotMeasured[slot] = now >= measureFrom;
            out.clear();
            UdpCodec.encodeRequest(out, new UdpAnnounceRequest(connectionId, tx,
                    infoHashes[peer % o.torrents],
                    new PeerId(0x2d53_4730_3030_312dL, peer, 0x5544_5031), // "-SG0001-"
                    0, left, 0, event, 0, peer, o.numWant, 1024 + peer % 60_000, ""));
            out.flip();
            write(channel, out);
            sent += now >= measureFrom ? 1 : 0;
        }
    }
}
