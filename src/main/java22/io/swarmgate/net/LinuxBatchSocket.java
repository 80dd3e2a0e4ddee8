package io.swarmgate.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@link BatchSocket} on Linux's {@code recvmmsg(2)} and {@code sendmmsg(2)} through the foreign function API
 * (JDK 22+; compiled apart from the JDK 21 sources and loaded by name). The socket is made here, not taken from a
 * {@code DatagramChannel}, so no JDK internals are opened. All structures are LP64 Linux's, the same on x86-64
 * and AArch64: {@code struct mmsghdr} is a 56-byte {@code msghdr} and the 4-byte {@code msg_len}, 64 bytes in all.
 * <p>A receive waits at most {@link #WAKE_MILLIS} (SO_RCVTIMEO) and {@link #shutdown()} also shuts the socket
 * down, which wakes a waiting {@code recvmmsg} at once; the descriptor is closed only by {@link #close()}, after
 * the receiving thread stopped, so it can never be reused under a thread still using it.
 */
public final class LinuxBatchSocket implements BatchSocket {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEPORT = 15;
    private static final int SO_RCVTIMEO = 20;
    /** SO_TIMESTAMPNS_OLD: each datagram carries the kernel's CLOCK_REALTIME of its arrival (SCM_TIMESTAMPNS). */
    private static final int SO_TIMESTAMPNS = 35;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int MSG_WAITFORONE = 0x10000;
    private static final int MSG_TRUNC = 0x20;
    private static final int SHUT_RDWR = 2;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EADDRINUSE = 98;
    private static final int EADDRNOTAVAIL = 99;

    /** Longest wait in one receive, so a shutdown is noticed even if the wake-up were lost. */
    static final int WAKE_MILLIS = 250;
    /** Larger than any UDP payload, so no datagram is silently cut (as the JDK channel's buffers in the frontend). */
    private static final int IN_BYTES = 65_536;
    private static final int NAME_BYTES = 28; // sizeof(struct sockaddr_in6)
    private static final long MMSG = 64;
    private static final long IOVEC = 16;
    /** CMSG_SPACE(sizeof(struct timespec)): a cmsghdr (length, level, type) and the timestamp. */
    private static final int CONTROL_BYTES = 32;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = call("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT = call("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            ADDRESS, JAVA_INT);
    private static final MethodHandle BIND = call("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = call("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle RECVMMSG = call("recvmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
            JAVA_INT, ADDRESS);
    private static final MethodHandle SENDMMSG = call("sendmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle SHUTDOWN = call("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = call("close", JAVA_INT, JAVA_INT);

    private final Arena arena = Arena.ofShared();
    private final boolean v4;
    private final int fd;
    private final int slots;
    private final int port;
    private final int outBytes;
    private final MemorySegment state;
    private final MemorySegment names;
    private final MemorySegment control;
    private final MemorySegment received;
    private final MemorySegment outgoing;
    private final MemorySegment outVectors;
    private final MemorySegment outSlots;
    private final ByteBuffer[] in;
    private final ByteBuffer[] out;
    private int queued;
    /** System.nanoTime() when the last receive returned, and it minus CLOCK_REALTIME in ns at that moment. */
    private long receivedAt;
    private long monotonicMinusRealtime;
    /** Whether {@link #stampArrivals()} succeeded: only then do the receives carry control buffers. */
    private boolean stamped;
    private final AtomicBoolean shut = new AtomicBoolean();
    private final List<LinuxOutbox> outboxes = new ArrayList<>();
    private boolean closed;

    private static MethodHandle call(String name, MemoryLayout result, MemoryLayout... args) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in libc"));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(result, args), ERRNO);
    }

    private LinuxBatchSocket(int fd, boolean v4, int slots, int port, int outBytes) {
        this.fd = fd;
        this.v4 = v4;
        this.outBytes = outBytes;
        this.slots = slots;
        this.port = port;
        this.state = arena.allocate(STATE);
        this.names = arena.allocate((long) NAME_BYTES * slots, 8);
        this.control = arena.allocate((long) CONTROL_BYTES * slots, 8);
        this.received = arena.allocate(MMSG * slots, 8);
        this.outgoing = arena.allocate(MMSG * slots, 8);
        MemorySegment inVectors = arena.allocate(IOVEC * slots, 8);
        this.outVectors = arena.allocate(IOVEC * slots, 8);
        MemorySegment inBytes = arena.allocate((long) IN_BYTES * slots, 64);
        this.outSlots = arena.allocate((long) outBytes * slots, 64);
        this.in = new ByteBuffer[slots];
        this.out = new ByteBuffer[slots];
        for (int i = 0; i < slots; i++) {
            MemorySegment inSlot = inBytes.asSlice((long) IN_BYTES * i, IN_BYTES);
            in[i] = inSlot.asByteBuffer().order(ByteOrder.BIG_ENDIAN);
            out[i] = outSlots.asSlice((long) outBytes * i, outBytes).asByteBuffer().order(ByteOrder.BIG_ENDIAN);
            inVectors.set(ADDRESS, IOVEC * i, inSlot);
            inVectors.set(JAVA_LONG, IOVEC * i + 8, IN_BYTES);
            long m = MMSG * i;
            received.set(ADDRESS, m, names.asSlice((long) NAME_BYTES * i, NAME_BYTES));
            received.set(ADDRESS, m + 16, inVectors.asSlice(IOVEC * i, IOVEC));
            received.set(JAVA_LONG, m + 24, 1);
            outgoing.set(ADDRESS, m + 16, outVectors.asSlice(IOVEC * i, IOVEC));
            outgoing.set(JAVA_LONG, m + 24, 1);
        }
    }

    /** See {@link BatchSocket#open}; called by name from there. */
    public static LinuxBatchSocket bind(InetAddress host, int port, boolean reusePort, int slots, int outBytes)
            throws IOException {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1");
        }
        if (outBytes < 1 || outBytes > MAX_OUT) {
            throw new IllegalArgumentException("answer buffers must hold 1 to " + MAX_OUT + " bytes");
        }
        boolean v4 = host instanceof Inet4Address;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(STATE);
            int fd = (int) SOCKET.invokeExact(st, v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new SocketException("socket() failed: errno " + errno(st));
            }
            try {
                MemorySegment one = a.allocate(JAVA_INT);
                if (reusePort) {
                    one.set(JAVA_INT, 0, 1);
                    check(st, (int) SETSOCKOPT.invokeExact(st, fd, SOL_SOCKET, SO_REUSEPORT, one, 4), "SO_REUSEPORT");
                }
                if (!v4) {
                    one.set(JAVA_INT, 0, 0);
                    check(st, (int) SETSOCKOPT.invokeExact(st, fd, IPPROTO_IPV6, IPV6_V6ONLY, one, 4), "IPV6_V6ONLY");
                }
                MemorySegment timeout = a.allocate(16, 8); // struct timeval
                timeout.set(JAVA_LONG, 0, 0);
                timeout.set(JAVA_LONG, 8, WAKE_MILLIS * 1000L);
                check(st, (int) SETSOCKOPT.invokeExact(st, fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16), "SO_RCVTIMEO");
                MemorySegment address = a.allocate(NAME_BYTES, 8);
                int length = sockaddr(address, host, port);
                if ((int) BIND.invokeExact(st, fd, address, length) != 0) {
                    int e = errno(st);
                    String where = host.getHostAddress() + ":" + port;
                    throw e == EADDRINUSE || e == EADDRNOTAVAIL
                            ? new BindException((e == EADDRINUSE ? "Address already in use: " : "Cannot assign"
                            + " requested address: ") + where)
                            : new SocketException("bind " + where + " failed: errno " + e);
                }
                MemorySegment len = a.allocate(JAVA_INT);
                len.set(JAVA_INT, 0, NAME_BYTES);
                check(st, (int) GETSOCKNAME.invokeExact(st, fd, address, len), "getsockname");
                int bound = (address.get(JAVA_BYTE, 2) & 0xff) << 8 | (address.get(JAVA_BYTE, 3) & 0xff);
                return new LinuxBatchSocket(fd, v4, slots, bound, outBytes);
            } catch (IOException | RuntimeException | Error e) {
                int ignored = (int) CLOSE.invokeExact(st, fd);
                throw e;
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(MemorySegment st, int result, String what) throws SocketException {
        if (result != 0) {
            throw new SocketException(what + " failed: errno " + errno(st));
        }
    }

    private static int errno(MemorySegment st) {
        return (int) ERRNO_VALUE.get(st, 0L);
    }

    /** Writes a sockaddr_in or sockaddr_in6 (ports and addresses in network order); returns its length. */
    private static int sockaddr(MemorySegment to, InetAddress host, int port) {
        to.fill((byte) 0);
        byte[] b = host.getAddress();
        to.set(JAVA_SHORT, 0, (short) (b.length == 4 ? AF_INET : AF_INET6));
        to.set(JAVA_BYTE, 2, (byte) (port >>> 8));
        to.set(JAVA_BYTE, 3, (byte) port);
        MemorySegment.copy(b, 0, to, JAVA_BYTE, b.length == 4 ? 4 : 8, b.length);
        return b.length == 4 ? 16 : NAME_BYTES;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public int receive() throws IOException {
        if (shut.get()) {
            return -1;
        }
        for (int i = 0; i < slots; i++) {
            received.set(JAVA_INT, MMSG * i + 8, NAME_BYTES);
            if (stamped) {
                received.set(JAVA_LONG, MMSG * i + 40, CONTROL_BYTES);
            }
        }
        queued = 0;
        int n;
        try {
            n = (int) RECVMMSG.invokeExact(state, fd, received, slots, MSG_WAITFORONE, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (shut.get()) {
            return -1;
        }
        receivedAt = System.nanoTime();
        if (stamped) {
            Instant wall = Instant.now();
            monotonicMinusRealtime = receivedAt - (wall.getEpochSecond() * 1_000_000_000L + wall.getNano());
        }
        if (n < 0) {
            int e = errno(state);
            if (e == EAGAIN || e == EINTR) {
                return 0;
            }
            throw new SocketException("recvmmsg failed: errno " + e);
        }
        for (int i = 0; i < n; i++) {
            long m = MMSG * i;
            int length = received.get(JAVA_INT, m + 56);
            if ((received.get(JAVA_INT, m + 48) & MSG_TRUNC) != 0) {
                length = IN_BYTES; // cannot happen with 64 KiB slots; never hand out bytes past the buffer
            }
            in[i].clear().limit(length);
            out[i].clear();
        }
        return n;
    }

    @Override
    public boolean stampArrivals() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            if ((int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_TIMESTAMPNS, one, 4) != 0) {
                return false;
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        for (int i = 0; i < slots; i++) {
            received.set(ADDRESS, MMSG * i + 32, control.asSlice((long) CONTROL_BYTES * i, CONTROL_BYTES));
        }
        stamped = true;
        return true;
    }

    @Override
    public long arrivedAt(int i) {
        long m = MMSG * i;
        long c = (long) CONTROL_BYTES * i;
        if (!stamped || received.get(JAVA_LONG, m + 40) < CONTROL_BYTES
                || control.get(JAVA_INT, c + 8) != SOL_SOCKET || control.get(JAVA_INT, c + 12) != SO_TIMESTAMPNS) {
            return receivedAt;
        }
        long realtime = control.get(JAVA_LONG, c + 16) * 1_000_000_000L + control.get(JAVA_LONG, c + 24);
        // not after the receive, whatever the wall clock did
        return Math.min(realtime + monotonicMinusRealtime, receivedAt);
    }

    @Override
    public ByteBuffer in(int i) {
        return in[i];
    }

    private long name(int i) {
        return (long) NAME_BYTES * i;
    }

    @Override
    public boolean sourceIsIpv6(int i) {
        long at = name(i);
        if (names.get(JAVA_SHORT, at) != AF_INET6) {
            return false;
        }
        return !(names.get(JAVA_LONG_BE, at + 8) == 0 && (names.get(JAVA_LONG_BE, at + 16) >>> 32) == 0xffffL);
    }

    private static final java.lang.foreign.ValueLayout.OfLong JAVA_LONG_BE =
            JAVA_LONG.withOrder(ByteOrder.BIG_ENDIAN).withByteAlignment(1);
    private static final java.lang.foreign.ValueLayout.OfInt JAVA_INT_BE =
            JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN).withByteAlignment(1);

    @Override
    public long sourceHi(int i) {
        return sourceIsIpv6(i) ? names.get(JAVA_LONG_BE, name(i) + 8) : 0;
    }

    @Override
    public long sourceLo(int i) {
        long at = name(i);
        if (names.get(JAVA_SHORT, at) == AF_INET) {
            return names.get(JAVA_INT_BE, at + 4) & 0xffffffffL;
        }
        long lo = names.get(JAVA_LONG_BE, at + 16);
        return sourceIsIpv6(i) ? lo : lo & 0xffffffffL;
    }

    @Override
    public int sourcePort(int i) {
        long at = name(i);
        return (names.get(JAVA_BYTE, at + 2) & 0xff) << 8 | (names.get(JAVA_BYTE, at + 3) & 0xff);
    }

    @Override
    public ByteBuffer out(int i) {
        return out[i];
    }

    @Override
    public void reply(int i, int length) {
        queue(i, length, names.asSlice(name(i), NAME_BYTES), received.get(JAVA_INT, MMSG * i + 8));
    }

    private void queue(int i, int length, MemorySegment to, int toLength) {
        if (length < 0 || length > outBytes) {
            throw new IllegalArgumentException("answer length " + length);
        }
        long m = MMSG * queued;
        outgoing.set(ADDRESS, m, to);
        outgoing.set(JAVA_INT, m + 8, toLength);
        outVectors.set(ADDRESS, IOVEC * queued, outSlots.asSlice((long) outBytes * i, length));
        outVectors.set(JAVA_LONG, IOVEC * queued + 8, length);
        queued++;
    }

    @Override
    public int flush() {
        int refused = send(state, outgoing, queued);
        queued = 0;
        return refused;
    }

    /** Sends the first {@code queued} messages of {@code outgoing}; returns how many were refused. */
    private int send(MemorySegment state, MemorySegment outgoing, int queued) {
        int refused = 0;
        int sent = 0;
        while (sent < queued) {
            int n;
            try {
                n = (int) SENDMMSG.invokeExact(state, fd, outgoing.asSlice(MMSG * sent), queued - sent, 0);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (n > 0) {
                sent += n;
            } else if (n < 0 && errno(state) == EINTR) {
                continue;
            } else {
                sent++; // the first one was refused (unreachable, filtered, shut down): drop it, send the rest
                refused++;
            }
        }
        return refused;
    }

    @Override
    public synchronized Outbox outbox(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1");
        }
        if (closed) {
            throw new IllegalStateException("socket closed");
        }
        LinuxOutbox outbox = new LinuxOutbox(slots);
        outboxes.add(outbox);
        return outbox;
    }

    /**
     * Its own messages, names and answer bytes in the socket's arena; one lock for queue, flush and close (after
     * which both do nothing: the arena is freed, and answers of requests still in flight are dropped).
     */
    private final class LinuxOutbox implements Outbox {
        private final int capacity;
        private boolean shut;
        private final MemorySegment outState = arena.allocate(STATE);
        private final MemorySegment messages;
        private final MemorySegment vectors;
        private final MemorySegment destinations;
        private final MemorySegment bytes;
        private int queued;

        LinuxOutbox(int capacity) {
            this.capacity = capacity;
            this.messages = arena.allocate(MMSG * capacity, 8);
            this.vectors = arena.allocate(IOVEC * capacity, 8);
            this.destinations = arena.allocate((long) NAME_BYTES * capacity, 8);
            this.bytes = arena.allocate((long) outBytes * capacity, 64);
            for (int i = 0; i < capacity; i++) {
                long m = MMSG * i;
                messages.set(ADDRESS, m, destinations.asSlice((long) NAME_BYTES * i, NAME_BYTES));
                messages.set(ADDRESS, m + 16, vectors.asSlice(IOVEC * i, IOVEC));
                messages.set(JAVA_LONG, m + 24, 1);
                vectors.set(ADDRESS, IOVEC * i, bytes.asSlice((long) outBytes * i, outBytes));
            }
        }

        @Override
        public synchronized void queue(ByteBuffer answer, boolean ipv6, long hi, long lo, int port) {
            int length = answer.remaining();
            if (length > outBytes) {
                throw new IllegalArgumentException("answer length " + length);
            }
            if (ipv6 && v4) {
                throw new IllegalArgumentException("an IPv6 destination on an IPv4 socket");
            }
            if (shut) {
                return;
            }
            if (queued == capacity) {
                flush();
            }
            int i = queued;
            MemorySegment.copy(MemorySegment.ofBuffer(answer), 0, bytes, (long) outBytes * i, length);
            vectors.set(JAVA_LONG, IOVEC * i + 8, length);
            messages.set(JAVA_INT, MMSG * i + 8, destination(destinations.asSlice((long) NAME_BYTES * i,
                    NAME_BYTES), ipv6, hi, lo, port));
            queued++;
        }

        @Override
        public synchronized boolean pending() {
            return queued > 0;
        }

        @Override
        public synchronized int flush() {
            if (shut) {
                return 0;
            }
            int refused = send(outState, messages, queued);
            queued = 0;
            return refused;
        }

        synchronized void shut() {
            shut = true;
            queued = 0;
        }
    }

    /**
     * Writes a destination as the socket's family has it: sockaddr_in on an IPv4 socket, sockaddr_in6 on an
     * IPv6 one (IPv4 addresses IPv4-mapped); returns its length.
     */
    private int destination(MemorySegment to, boolean ipv6, long hi, long lo, int port) {
        to.fill((byte) 0);
        to.set(JAVA_BYTE, 2, (byte) (port >>> 8));
        to.set(JAVA_BYTE, 3, (byte) port);
        if (v4) {
            to.set(JAVA_SHORT, 0, (short) AF_INET);
            to.set(JAVA_INT_BE, 4, (int) lo);
            return 16;
        }
        to.set(JAVA_SHORT, 0, (short) AF_INET6);
        to.set(JAVA_LONG_BE, 8, ipv6 ? hi : 0);
        to.set(JAVA_LONG_BE, 16, ipv6 ? lo : 0xffff_0000_0000L | (lo & 0xffffffffL));
        return NAME_BYTES;
    }

    @Override
    public int localPort() {
        return port;
    }

    @Override
    public void shutdown() {
        if (shut.compareAndSet(false, true)) {
            try (Arena a = Arena.ofConfined()) {
                int ignored = (int) SHUTDOWN.invokeExact(a.allocate(STATE), fd, SHUT_RDWR); // ENOTCONN, yet it wakes
            } catch (Throwable t) {
                // the timeout wakes the receiver anyway
            }
        }
    }

    @Override
    public synchronized void close() {
        shutdown();
        if (closed) {
            return;
        }
        closed = true;
        outboxes.forEach(LinuxOutbox::shut); // waits for a queue or flush under way: the arena may go then
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(a.allocate(STATE), fd);
        } catch (Throwable t) {
            // nothing left to do
        }
        arena.close();
    }
}
