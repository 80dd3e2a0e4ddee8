package io.swarmgate.net;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A bound UDP socket with a fixed set of datagram slots: {@link #receive()} fills up to {@link #slots()} of them in
 * one system call, the caller reads each from {@link #in(int)}, writes an answer into {@link #out(int)} and queues
 * it with {@link #reply(int, int)} (to the slot's source), and
 * {@link #flush()} sends everything queued in one more system call. One thread receives and flushes; any thread
 * may call {@link #shutdown()}, which makes a blocked or later {@link #receive()} return -1.
 */
public interface BatchSocket extends AutoCloseable {
    /** The implementation's class, compiled for JDK 22+ (src/main/java22): loaded by name, never linked here. */
    String IMPLEMENTATION = "io.swarmgate.net.LinuxBatchSocket";

    /**
     * Binds a socket; on an IPv6 wildcard or IPv6 host it is dual-stack (IPV6_V6ONLY off), as the JDK's are.
     *
     * @param reusePort set SO_REUSEPORT, so several sockets may share the address and the kernel spreads datagrams
     * @param slots     datagrams per system call, at least 1
     * @param outBytes  capacity of each slot's answer buffer, 1 to {@link #MAX_OUT}
     * @return empty when batching is not available here (not Linux, an unsupported architecture, a JDK before
     *         22, native access refused), with {@link #unavailableReason()} saying why
     * @throws IOException when the socket cannot be made or bound (address in use, not local)
     */
    static Optional<BatchSocket> open(InetAddress host, int port, boolean reusePort, int slots, int outBytes)
            throws IOException {
        if (unavailableReason() != null) {
            return Optional.empty();
        }
        try {
            return Optional.of((BatchSocket) Class.forName(IMPLEMENTATION)
                    .getMethod("bind", InetAddress.class, int.class, boolean.class, int.class, int.class)
                    .invoke(null, host, port, reusePort, slots, outBytes));
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IllegalCallerException) {
                return Optional.empty(); // native access denied (--illegal-native-access=deny or a module list)
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Null when {@link #open} can give a batch socket here; otherwise why not, for the log. */
    static String unavailableReason() {
        return Availability.REASON;
    }

    /** Datagram slots, the most {@link #receive()} returns at once. */
    int slots();

    /**
     * Waits for at least one datagram and takes as many as are queued, up to {@link #slots()}.
     *
     * @return how many slots (from 0) hold a datagram, 0 when the wait timed out or was interrupted (call again),
     *         -1 once the socket was shut down
     * @throws IOException on a receive error other than those
     */
    int receive() throws IOException;

    /**
     * Asks the kernel to stamp each datagram with its arrival (SO_TIMESTAMPNS), for {@link #arrivedAt}. It costs
     * the kernel a clock read and a control message per datagram (about 5% of a saturated worker's throughput).
     *
     * @return whether the kernel agreed
     */
    boolean stampArrivals();

    /**
     * When slot {@code i}'s datagram arrived at the socket, on the {@link System#nanoTime()} scale: with
     * {@link #stampArrivals()}, the kernel's timestamp of its arrival, so the time it waited in the socket's queue
     * counts; otherwise (or for a datagram without one) when the last {@link #receive()} returned.
     */
    long arrivedAt(int i);

    /** The datagram in slot {@code i}: position 0, limit its length. Valid until the next {@link #receive()}. */
    ByteBuffer in(int i);

    /** Whether slot {@code i}'s source is an IPv6 address that is not IPv4-mapped. */
    boolean sourceIsIpv6(int i);

    /** High 64 bits of slot {@code i}'s IPv6 source; 0 for IPv4 (and IPv4-mapped). */
    long sourceHi(int i);

    /** Low 64 bits of slot {@code i}'s IPv6 source, or its IPv4 source in the low 32 bits. */
    long sourceLo(int i);

    int sourcePort(int i);

    /** The answer buffer of slot {@code i} (cleared by {@link #receive()}), of the capacity asked for at open. */
    ByteBuffer out(int i);

    /** Most bytes an answer buffer may hold: a UDP payload in one unfragmented 1500-byte IPv4 packet. */
    int MAX_OUT = 1472;

    /** Queues bytes [0, length) of {@link #out(int) out(i)} for slot {@code i}'s source. */
    void reply(int i, int length);

    /**
     * Sends the queued answers, as few system calls as the kernel allows; a datagram the kernel refuses (an
     * unreachable destination) is dropped and counted, the rest still go.
     *
     * @return how many were refused
     */
    int flush();

    /**
     * A second set of answer slots on this socket, for answers written by threads other than the receiving one
     * (a remote store's, whose replies arrive in bursts on its own threads): each answer is copied in, with its
     * destination, and {@link Outbox#flush()} sends all queued in one more system call. Thread-safe; independent
     * of {@link #reply}/{@link #flush()}, which stay the receiving thread's. Freed with the socket.
     *
     * @param slots answers queued at most; one more flushes the queue first
     */
    Outbox outbox(int slots);

    /** See {@link #outbox(int)}. */
    interface Outbox {
        /**
         * Copies {@code answer} (position to limit, at most the socket's answer size) for {@code to}, and queues
         * it; flushes first when every slot is taken.
         *
         * @param ipv6 whether {@code to} is an IPv6 address that is not IPv4-mapped; {@code hi}/{@code lo} as
         *             {@link #sourceHi}/{@link #sourceLo} give it
         */
        void queue(ByteBuffer answer, boolean ipv6, long hi, long lo, int port);

        /** Whether answers wait for {@link #flush()}. */
        boolean pending();

        /**
         * Sends the queued answers (as {@link BatchSocket#flush()}).
         *
         * @return how many the kernel refused
         */
        int flush();
    }

    /** The bound port (the ephemeral one for port 0). */
    int localPort();

    /** Makes a blocked or later {@link #receive()} return -1; safe from any thread, idempotent. */
    void shutdown();

    /** Frees the socket and its buffers; call after the receiving thread stopped (after {@link #shutdown()}). */
    @Override
    void close();

    /** Decided once: the operating system, the architecture and whether the JDK has the foreign function API. */
    final class Availability {
        static final String REASON = reason();

        private Availability() {
        }

        private static String reason() {
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "");
            if (!os.equals("Linux")) {
                return "not Linux (" + os + ")";
            }
            if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
                return "architecture " + arch + " (x86-64 and AArch64 only)";
            }
            if (Runtime.version().feature() < 22) {
                return "JDK " + Runtime.version().feature() + " (the foreign function API needs 22+)";
            }
            try {
                Class.forName(IMPLEMENTATION);
            } catch (ClassNotFoundException | LinkageError e) {
                return "no native implementation in this build (" + e + ")";
            }
            return null;
        }
    }
}
