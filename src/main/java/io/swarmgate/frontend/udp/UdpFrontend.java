package io.swarmgate.frontend.udp;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.config.UdpConfig;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.net.BatchSocket;
import io.swarmgate.protocol.udp.UdpResponses;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The UDP tracker listener (BEP 15, BEP 41). {@link #start()} binds {@code udp.host:udp.port} and starts
 * {@code udp.workers} platform threads. On Linux each worker binds its own socket to the same address with
 * SO_REUSEPORT, so the kernel spreads datagrams over them and no two workers contend for a socket; where the
 * option is missing the workers share one socket. Host {@code ::} is one dual-stack socket for IPv4 and IPv6.
 * With {@code udp.batch-size} over 1, each worker's socket is a {@link BatchSocket} where the platform has one
 * (Linux, JDK 22+): it takes every datagram waiting, up to the batch size, in one system call and sends their
 * answers in one more, which is most of a datagram's cost; elsewhere the JDK's {@code DatagramChannel}. With a
 * remote store the answers leave as the store replies: those of one burst of its replies together, through the
 * socket's {@link BatchSocket.Outbox}.
 *
 * <p>Responses stay within {@link #MAX_RESPONSE_BYTES} so they travel as one unfragmented datagram on common
 * paths: announces get at most {@link #maxPeers(AddressFamily)} peers and scrapes may ask for at most
 * {@link #MAX_SCRAPE_INFO_HASHES} info_hashes (besides {@code tracker.max-scrape-infohashes}).
 */
public final class UdpFrontend implements AutoCloseable {
    private static final Logger LOG = System.getLogger(UdpFrontend.class.getName());

    /**
     * Largest payload sent: 1500-byte Ethernet MTU less IPv6 and UDP headers (48) less room for tunnels and
     * PPPoE. BEP 15 sizes scrapes the same way ("up to about 74 torrents" per request).
     */
    public static final int MAX_RESPONSE_BYTES = 1400;
    /** (1400 - 8) / 12: a scrape answer for more would not fit {@link #MAX_RESPONSE_BYTES}. */
    public static final int MAX_SCRAPE_INFO_HASHES =
            (MAX_RESPONSE_BYTES - UdpResponses.HEADER_LENGTH) / UdpResponses.SCRAPE_ENTRY_LENGTH;
    private static final long JOIN_MILLIS = 5_000;

    private final UdpConfig config;
    private final TrackerLogic logic;
    private final RequestMetrics metrics;
    private final InstantSource clock;
    private final byte[] configuredSecret;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final List<BatchSocket> batches = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean started;
    private boolean closed;

    public UdpFrontend(UdpConfig config, TrackerLogic logic, RequestMetrics metrics, InstantSource clock) {
        this.config = Objects.requireNonNull(config);
        this.logic = Objects.requireNonNull(logic);
        this.metrics = Objects.requireNonNull(metrics);
        this.clock = Objects.requireNonNull(clock);
        // UdpConfig has already refused a secret that is set but too short
        this.configuredSecret = config.connectionIdSecret().getBytes(StandardCharsets.UTF_8);
    }

    /** Most peers an announce answer carries for a family: 230 IPv4 or 76 IPv6 within the payload cap. */
    public static int maxPeers(AddressFamily family) {
        return (MAX_RESPONSE_BYTES - UdpResponses.ANNOUNCE_HEADER_LENGTH) / family.compactLength();
    }

    /**
     * Binds and starts the workers; returns once the sockets are bound, so {@link #port()} is known.
     *
     * @throws IOException when the address cannot be bound (in use, not local, no IPv6)
     */
    public synchronized void start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        byte[] secret = configuredSecret;
        if (secret.length == 0) {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            LOG.log(Level.WARNING, "udp.connection-id-secret is empty: using a random secret, so UDP connection"
                    + " ids will not survive a restart or work across instances");
        }
        int workers = config.effectiveWorkers();
        String io;
        try {
            // a remote store: each receive loop keeps its share of the store's in-flight limit busy
            int handlers = logic.mayBlock() ? Math.max(1, Math.ceilDiv(logic.maxInFlight(), workers)) : 0;
            io = config.batchSize() > 1 ? bindBatches(workers) : "one datagram per system call (udp.batch-size: 1)";
            if (batches.isEmpty()) {
                bind(workers);
            }
            for (int i = 0; i < workers; i++) {
                UdpWorker worker;
                if (!batches.isEmpty()) {
                    BatchSocket socket = batches.get(i);
                    if (handlers == 0) {
                        worker = new UdpWorker(socket, config, logic, metrics, connectionIds(secret));
                    } else {
                        // a remote store: the answers of each burst of its replies leave through the socket's
                        // outbox
                        UdpWorker.Outgoing outgoing =
                                new UdpWorker.Outgoing(socket.outbox(handlers + socket.slots()));
                        List<UdpWorker> pool = pool(handlers,
                                ids -> new UdpWorker(outgoing, config, logic, metrics, ids), secret);
                        worker = new UdpWorker(socket, pool, config, logic, metrics);
                    }
                } else {
                    DatagramChannel channel = channels.get(i % channels.size());
                    if (handlers == 0) {
                        worker = new UdpWorker(channel, config, logic, metrics, connectionIds(secret));
                    } else {
                        List<UdpWorker> pool = pool(handlers,
                                ids -> new UdpWorker(channel, config, logic, metrics, ids), secret);
                        worker = new UdpWorker(channel, config, logic, metrics, pool);
                    }
                }
                threads.add(Thread.ofPlatform().name("swarmgate-udp-" + i).daemon(false).unstarted(worker));
            }
        } catch (IOException | RuntimeException e) {
            closeChannels();
            batches.forEach(BatchSocket::close); // no thread was started on them
            batches.clear();
            threads.clear();
            throw e;
        }
        threads.forEach(Thread::start);
        LOG.log(Level.INFO, "UDP tracker listening on " + boundAddresses() + " with " + workers + " workers"
                + (channels.size() > 1 || batches.size() > 1 ? " (SO_REUSEPORT)" : "") + ", " + io);
    }

    /** A worker's own connection ids (each worker keeps its own MAC state), from the one secret. */
    private ConnectionIds connectionIds(byte[] secret) {
        return new ConnectionIds(secret, config.maxClockSkew(), clock);
    }

    /** The handlers of one receive loop (remote store), each with its own buffers and connection ids. */
    private List<UdpWorker> pool(int handlers, Function<ConnectionIds, UdpWorker> handler, byte[] secret) {
        List<UdpWorker> pool = new ArrayList<>(handlers);
        for (int h = 0; h < handlers; h++) {
            pool.add(handler.apply(connectionIds(secret)));
        }
        return pool;
    }

    /**
     * One batch socket per worker (SO_REUSEPORT when several); none when the platform has no batch socket.
     *
     * @return how the sockets move datagrams, for the start-up line
     */
    private String bindBatches(int workers) throws IOException {
        InetAddress host = IpAddress.parse(config.host()).toInetAddress();
        int port = config.port();
        for (int i = 0; i < workers; i++) {
            Optional<BatchSocket> socket = BatchSocket.open(host, port, workers > 1, config.batchSize(),
                    MAX_RESPONSE_BYTES);
            if (socket.isEmpty()) {
                return "one datagram per system call (no batch socket here: " + BatchSocket.unavailableReason()
                        + ")";
            }
            batches.add(socket.get());
            port = socket.get().localPort(); // the rest join the first's port, which matters for port 0
            if (config.arrivalTimestamps() && !socket.get().stampArrivals()) {
                LOG.log(Level.WARNING, "udp.arrival-timestamps: the kernel refused SO_TIMESTAMPNS;"
                        + " UDP request durations count from the receive");
            }
        }
        return "up to " + config.batchSize() + " datagrams per system call (recvmmsg/sendmmsg"
                + (config.arrivalTimestamps() ? ", arrival timestamps" : "") + ")";
    }

    private void bind(int workers) throws IOException {
        InetAddress host = IpAddress.parse(config.host()).toInetAddress();
        // an IPv6 socket (on "::" dual-stack: Java leaves IPV6_V6ONLY off) or an IPv4 one for an IPv4 host
        StandardProtocolFamily family = host.getAddress().length == 4
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        DatagramChannel first = DatagramChannel.open(family);
        channels.add(first);
        boolean reusePort = workers > 1 && first.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        if (reusePort) {
            first.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        first.bind(new InetSocketAddress(host, config.port()));
        if (!reusePort) {
            return;
        }
        // the rest join the first's port, which matters when port 0 asked for an ephemeral one
        InetSocketAddress bound = (InetSocketAddress) first.getLocalAddress();
        for (int i = 1; i < workers; i++) {
            DatagramChannel channel = DatagramChannel.open(family);
            channels.add(channel);
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.bind(bound);
        }
    }

    /** The local addresses listened on (one: all sockets share it); empty before {@link #start()}. */
    public synchronized List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        if (!batches.isEmpty() && !closed) {
            InetAddress host = IpAddress.parse(config.host()).toInetAddress();
            return List.of(new InetSocketAddress(host, batches.getFirst().localPort()));
        }
        for (DatagramChannel channel : channels) {
            try {
                InetSocketAddress a = (InetSocketAddress) channel.getLocalAddress();
                if (a != null && !out.contains(a)) {
                    out.add(a);
                }
            } catch (IOException e) {
                // closed: not listening there any more
            }
        }
        return List.copyOf(out);
    }

    /** Whether the workers serve through batch sockets (several datagrams per system call). */
    synchronized boolean batched() {
        return !batches.isEmpty();
    }

    /** The bound port (the ephemeral one when {@code udp.port} is 0). */
    public int port() {
        List<InetSocketAddress> addresses = boundAddresses();
        if (addresses.isEmpty()) {
            throw new IllegalStateException("not listening");
        }
        return addresses.getFirst().getPort();
    }

    /**
     * Closes the sockets, which wakes workers blocked in receive, and waits for them to finish the packet in
     * hand. Idempotent.
     */
    @Override
    public void close() {
        List<Thread> toJoin;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            batches.forEach(BatchSocket::shutdown);
            closeChannels();
            toJoin = List.copyOf(threads);
        }
        long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
        for (Thread t : toJoin) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.log(Level.WARNING, "UDP worker " + t.getName() + " still busy after close");
            }
        }
        // freed only once their threads stopped: a descriptor closed under a receiving thread could be reused
        synchronized (this) {
            for (int i = 0; i < toJoin.size() && i < batches.size(); i++) {
                if (!toJoin.get(i).isAlive()) {
                    batches.get(i).close();
                }
            }
        }
    }

    private void closeChannels() {
        for (DatagramChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing UDP socket failed: " + e);
            }
        }
    }
}
