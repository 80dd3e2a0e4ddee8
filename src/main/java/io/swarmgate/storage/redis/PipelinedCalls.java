package io.swarmgate.storage.redis;

import io.swarmgate.concurrent.Burst;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisCredentials;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.RedisInputStream;
import redis.clients.jedis.util.RedisOutputStream;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The commands of many request threads written to one connection together (auto-pipelining), for one Redis
 * server: a single server, or one master of a Cluster ({@link ClusterPipelines}).
 *
 * <p><b>Why.</b> With one connection per call, as a pool of blocking connections gives, every announce costs
 * Redis an {@code epoll} wake-up, a {@code read} and a {@code write} (which, on loopback or a LAN, also runs
 * the TCP delivery), and the tracker a pool borrow, a write and a blocking read: a large share of both
 * processes' CPU per announce next to the ~25 µs the function itself takes (README, "Where redis-server's
 * time goes"). Here callers queue their commands and the connection carries them back to back.
 *
 * <p><b>Who writes, who reads.</b> The caller writes: it queues its command and, unless another caller is
 * writing at that moment (who then takes it along), writes everything queued with one flush. A caller in a
 * {@link Burst} (the UDP frontend's receive loop, handling one {@code recvmmsg} batch) writes once, at the
 * burst's end, so a batch of datagrams becomes one {@code write} to Redis. One reader thread per connection
 * blocks in its socket read, takes the replies in order and completes their calls: everything that arrived
 * together in one {@link Burst}. So an announce costs no hand-off to a sender thread, and under a light load
 * the tracker wakes once for the datagram and once for the reply (README, "Eleventh session").
 *
 * <p><b>A caller's write does not block</b> in practice: the calls in flight are bounded by the callers (the
 * {@code maxInFlight} slots of blocking calls, and the UDP frontend's handlers, as many again), a few tens of KB
 * of commands, well within a socket's buffers even while the server reads nothing. A UDP receive loop that
 * must wait for a handler first runs what its burst deferred ({@link Burst#drainNow}), this write among it.
 *
 * <p><b>What does not change.</b> Each command is still one atomic function call; pipelining only shares the
 * socket. A caller waits for its own reply, so its next call is never sent before the previous one ran. A
 * caller waits at most the timeout in all (for a slot, in the queue, for the reply); a call that timed out
 * before it was written is dropped, one already written may still run, as with any command whose reply is
 * late. At most {@code maxInFlight} {@link #call blocking calls} wait at once; more callers wait for a slot,
 * within the same timeout.
 *
 * <p><b>Asynchronous calls.</b> {@link #submit} queues a command and returns its reply's future at once, for a
 * caller that serves many requests per thread (the UDP frontend) and bounds its own calls in flight. Its
 * completion, and whatever the caller chained to it, runs on the reader thread as soon as the reply is read, in
 * one {@link Burst} with the other replies read with it.
 *
 * <p><b>The connection.</b> The reader thread opens it (AUTH and SELECT as the client config says, then a
 * each within the config's socket timeout) and opens a new one when it breaks. While it is down, calls
 * fail at once with the reason, and the reader tries again every {@link #RETRY_NANOS}; while the first
 * connection is being opened, calls wait for it within their timeout. A reply that is not there by the
 * oldest written call's deadline means a dead or hung server: the connection is closed, its calls fail, and a
 * new one is opened (as a blocking client's socket timeout would).
 *
 * <p><b>Deadlines.</b> Every call carries its deadline; one thread looks at the queued and written calls every
 * {@link #tick} (a tenth of the timeout, at most 20 ms) and fails those past it. No caller parks with a timer of
 * its own, which cost a delay-queue insertion and removal per call; a late answer comes at most one tick late.
 */
final class PipelinedCalls implements AutoCloseable {
    /** Commands taken per pass of the writer: a few tens of KB, well within one socket buffer. */
    static final int MAX_BATCH = 128;
    /** How long the reader waits before opening a connection again after an attempt failed. */
    static final long RETRY_NANOS = 100_000_000L;
    /** Each way: a batch of calls leaves in one write, and a batch of replies (about 1.3 KB each) is read in one. */
    private static final int BUFFER = 64 * 1024;

    private final DefaultJedisSocketFactory sockets;
    private final JedisClientConfig client;
    private final long timeoutNanos;
    private final int maxInFlight;
    private final Semaphore slots;
    /** Calls not yet written, oldest first. */
    private final ConcurrentLinkedQueue<Call> queue = new ConcurrentLinkedQueue<>();
    /** Held by the caller that is writing; whoever holds it reads {@link #wire} and appends to its calls. */
    private final ReentrantLock writing = new ReentrantLock();
    /** One identity, so that a burst writes once however many calls it queued. */
    private final Runnable flush = this::flush;
    private final Thread reader;
    private final Thread deadlines;
    private final long tickNanos;
    /** The open connection, or null while it is being opened or is down. */
    private volatile Wire wire;
    /** Why the last attempt to open a connection failed; null once one is open, and before the first attempt. */
    private volatile JedisConnectionException down;
    private volatile boolean closed;

    /**
     * A pipeline to the server at {@code node}, its connection opened as {@code client} says (TLS, user and
     * password, database, timeouts).
     */
    PipelinedCalls(HostAndPort node, JedisClientConfig client, int maxInFlight, Duration timeout, String name) {
        this.sockets = new DefaultJedisSocketFactory(node, client);
        this.client = client;
        this.timeoutNanos = timeout.toNanos();
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
        this.tickNanos = tick(timeout).toNanos();
        // platform threads: a virtual one blocked in a socket read would add a poller round per batch
        reader = Thread.ofPlatform().daemon().name(name + "-reader").start(this::connectAndRead);
        deadlines = Thread.ofPlatform().daemon().name(name + "-deadlines").start(this::expire);
    }

    /** How often deadlines are checked: how late, at most, a call that got no reply is failed. */
    static Duration tick(Duration timeout) {
        return Duration.ofNanos(Math.clamp(timeout.toNanos() / 10, 1_000_000L, 20_000_000L));
    }

    /**
     * Sends one command, encoded ({@link Resp}), and returns its reply as Jedis reads it raw (Long, byte[], List).
     * An error reply is thrown as the {@link JedisDataException} it is; no reply in time, or a connection
     * failure, as a {@link JedisConnectionException}.
     */
    Object call(byte[] command) {
        return call(command, System.nanoTime() + timeoutNanos);
    }

    /** {@link #call(byte[])} within a deadline of the caller's ({@link System#nanoTime()}), not a timeout from now. */
    Object call(byte[] command, long deadline) {
        try {
            return callAll(List.of(command), deadline).getFirst().get(); // done: returns or throws at once
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JedisConnectionException("interrupted while waiting for Redis", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JedisDataException data) {
                throw data; // an error reply to this command alone (say, "Function not found")
            }
            throw new JedisConnectionException(String.valueOf(e.getCause().getMessage()), e.getCause());
        }
    }

    /**
     * Sends commands together, written now even in a burst (this thread waits for them, so it cannot wait for
     * the burst), and waits for all their replies within one deadline: each future is done, with its raw reply
     * or failed as {@link #submit} describes. All of them take one slot, as one {@link #call} does.
     *
     * @throws JedisConnectionException when no slot frees up by the deadline, or when interrupted
     */
    List<CompletableFuture<Object>> callAll(List<byte[]> commands, long deadline) {
        try {
            if (!slots.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                throw new JedisConnectionException("all " + maxInFlight + " calls in flight still waiting after "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
            }
            try {
                List<CompletableFuture<Object>> calls = new ArrayList<>(commands.size());
                for (byte[] command : commands) {
                    calls.add(enqueue(command, deadline));
                }
                flush();
                for (CompletableFuture<Object> call : calls) {
                    try {
                        call.get(); // untimed: the deadline thread fails it in time
                    } catch (ExecutionException failed) {
                        // the caller reads it from the future
                    }
                }
                return calls;
            } finally {
                slots.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JedisConnectionException("interrupted while waiting for Redis", e);
        }
    }

    /**
     * Queues one command, encoded ({@link Resp}), and returns its reply's future: completed on the reader thread with the raw reply, or
     * exceptionally with the {@link JedisDataException} of an error reply, or a {@link JedisConnectionException}
     * (no reply within the timeout, a connection failure, closed). Takes no slot: the caller bounds its own
     * calls in flight. In a {@link Burst}, the command is written at the burst's end.
     */
    CompletableFuture<Object> submit(byte[] command) {
        return submit(command, System.nanoTime() + timeoutNanos);
    }

    /** {@link #submit(byte[])} within a deadline of the caller's ({@link System#nanoTime()}). */
    CompletableFuture<Object> submit(byte[] command, long deadline) {
        Call call = enqueue(command, deadline);
        Burst.once(flush); // now, or at the end of this thread's burst with the rest of it
        return call;
    }

    private Call enqueue(byte[] command, long deadline) {
        Call call = new Call(command, deadline);
        queue.add(call);
        if (closed && queue.remove(call)) { // close() may have drained the queue already
            call.completeExceptionally(new JedisConnectionException("store closed"));
        }
        return call;
    }

    /** Callers holding a slot: queued, written, or about to be (for tests). */
    int inFlight() {
        return maxInFlight - slots.availablePermits();
    }

    /**
     * Writes what is queued unless another caller is writing now; that one looks at the queue again once it let
     * go of the lock, so a call queued meanwhile is never left behind.
     */
    private void flush() {
        while (!queue.isEmpty() && writing.tryLock()) {
            boolean progress;
            try {
                progress = writeQueued();
            } finally {
                writing.unlock();
            }
            if (!progress) {
                return; // no connection yet: the reader writes the queue once it has one
            }
        }
    }

    /**
     * Under {@link #writing}: writes up to {@link #MAX_BATCH} queued calls with one flush, or fails them all when
     * the connection is down. Returns false when there is no connection yet (the calls stay queued).
     */
    private boolean writeQueued() {
        Wire w = wire;
        if (w == null) {
            JedisConnectionException e = down;
            if (e == null) {
                return false;
            }
            failQueued(e); // down: fail now rather than at the deadline
            return true;
        }
        try {
            Call call;
            for (int n = 0; n < MAX_BATCH && (call = queue.poll()) != null; ) {
                if (call.isDone()) {
                    continue; // timed out while queued
                }
                w.sent.add(call); // before its bytes go out: the reader takes the replies in this order
                w.out.write(call.command);
                n++;
            }
            w.out.flush();
        } catch (JedisConnectionException e) {
            w.kill(e); // the reader fails what was written and opens a new connection
        } catch (IOException e) {
            w.kill(new JedisConnectionException(e));
        }
        return true;
    }

    private void failQueued(JedisConnectionException e) {
        failAll(queue, e);
    }

    /** Fails every call in {@code calls}, taking them out, in one burst (their answers leave together). */
    private static void failAll(ConcurrentLinkedQueue<Call> calls, JedisConnectionException e) {
        Burst.run(() -> {
            for (Call call; (call = calls.poll()) != null; ) {
                call.completeExceptionally(e);
            }
        });
    }

    /** The reader thread: opens the connection, reads its replies until it breaks, and again, until closed. */
    private void connectAndRead() {
        while (!closed) {
            Wire w;
            try {
                w = open();
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                down = e instanceof JedisConnectionException c ? c : new JedisConnectionException(e);
                writing.lock();
                try {
                    failQueued(down);
                } finally {
                    writing.unlock();
                }
                LockSupport.parkNanos(RETRY_NANOS);
                continue;
            }
            down = null;
            wire = w;
            if (closed) { // close() may have looked for a connection just before this one was there
                w.kill(new JedisConnectionException("store closed"));
            }
            writing.lock(); // a caller may have found no connection just before: write what it queued
            try {
                writeQueued();
            } finally {
                writing.unlock();
            }
            flush();
            JedisConnectionException cause = read(w);
            wire = null;
            w.kill(cause);
            writing.lock(); // a caller that still had w is done with it: nothing more joins w.sent
            writing.unlock();
            failAll(w.sent, cause);
        }
    }

    /**
     * Opens a connection: socket (TLS if configured), then AUTH and SELECT when configured, each within the socket
     * timeout. No PING: the store's calls are the only commands a tracker sends (README, "one command per
     * announce"); a server that accepts the connection and then hangs shows as calls without replies.
     */
    private Wire open() {
        Socket socket = sockets.createSocket();
        try {
            RedisOutputStream out = new RedisOutputStream(socket.getOutputStream(), BUFFER);
            WireInput in = new WireInput(socket);
            Supplier<RedisCredentials> credentials = client.getCredentialsProvider();
            RedisCredentials c = credentials == null ? null : credentials.get();
            String user = c != null ? c.getUser() : client.getUser();
            String password = c != null ? (c.getPassword() == null ? null : new String(c.getPassword()))
                    : client.getPassword();
            if (password != null) {
                CommandArguments auth = new CommandArguments(Protocol.Command.AUTH);
                if (user != null) {
                    auth.add(user);
                }
                handshake(out, in, auth.add(password), "AUTH");
            }
            if (client.getDatabase() != 0) {
                handshake(out, in, new CommandArguments(Protocol.Command.SELECT).add(client.getDatabase()), "SELECT");
            }
            socket.setSoTimeout(0); // from here on the deadlines decide when a reply is late
            return new Wire(socket, out, in);
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            if (e instanceof JedisConnectionException c) {
                throw c;
            }
            throw new JedisConnectionException(e);
        }
    }

    private static void handshake(RedisOutputStream out, WireInput in, CommandArguments command,
                                  String what) throws IOException {
        out.write(Resp.command(command)); // as every command on this connection
        out.flush();
        try {
            Protocol.read(in);
        } catch (JedisDataException e) {
            throw new JedisConnectionException(what + " refused: " + e.getMessage(), e);
        }
    }

    /**
     * Reads replies until the connection breaks (or is closed) and completes their calls in order, the replies
     * that arrived together in one burst. Returns why it stopped.
     */
    private JedisConnectionException read(Wire w) {
        try {
            while (true) {
                Object first = reply(w);
                Burst.run(() -> {
                    complete(w, first);
                    while (w.in.buffered() > 0) { // read with it; asking the socket would cost a system call
                        complete(w, reply(w));
                    }
                });
            }
        } catch (JedisConnectionException e) {
            return w.cause != null ? w.cause : e;
        } catch (RuntimeException e) {
            return new JedisConnectionException("unreadable reply from Redis: " + e, e);
        }
    }

    private static Object reply(Wire w) {
        try {
            return Protocol.read(w.in);
        } catch (JedisDataException e) {
            return e; // an error reply, read whole: the stream is at the next reply
        }
    }

    private static void complete(Wire w, Object reply) {
        Call call = w.sent.poll();
        if (call == null) {
            throw new JedisConnectionException("a reply from Redis with no call waiting for it");
        }
        if (reply instanceof JedisDataException e) {
            call.completeExceptionally(e);
        } else {
            call.complete(reply);
        }
    }

    /**
     * Fails the calls past their deadline, queued or written, once per tick, until closed; a written call past
     * its deadline closes the connection (no reply in time: the server is gone or hung).
     */
    private void expire() {
        while (!closed) {
            LockSupport.parkNanos(tickNanos);
            long now = System.nanoTime();
            for (Call call : queue) { // oldest first: the first call still in time ends the look
                if (call.deadline - now > 0) {
                    break;
                }
                call.expire();
            }
            Wire w = wire;
            if (w != null) {
                Call oldest = w.sent.peek();
                if (oldest != null && oldest.deadline - now <= 0) {
                    JedisConnectionException late = oldest.late();
                    w.kill(late);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        deadlines.interrupt();
        LockSupport.unpark(reader);
        Wire w = wire;
        if (w != null) {
            w.kill(new JedisConnectionException("store closed"));
        }
        try {
            reader.join(timeoutNanos / 1_000_000 + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        w = wire;
        if (w != null) { // opened while closing
            w.kill(new JedisConnectionException("store closed"));
        }
        failQueued(new JedisConnectionException("store closed"));
    }

    /** A connection's reply stream that tells how much it has read ahead. */
    private static final class WireInput extends RedisInputStream {
        WireInput(Socket socket) throws IOException {
            super(socket.getInputStream(), BUFFER);
        }

        /** Bytes read from the socket and not yet parsed: replies that arrived with the last one. */
        int buffered() {
            return limit - count;
        }
    }

    /** An open connection and its calls written and not yet answered, oldest first. */
    private static final class Wire {
        final Socket socket;
        final RedisOutputStream out;
        final WireInput in;
        final ConcurrentLinkedQueue<Call> sent = new ConcurrentLinkedQueue<>();
        volatile JedisConnectionException cause;

        Wire(Socket socket, RedisOutputStream out, WireInput in) {
            this.socket = socket;
            this.out = out;
            this.in = in;
        }

        /** Closes the socket, which ends the reader's blocking read; the first cause given is the one kept. */
        synchronized void kill(JedisConnectionException why) {
            if (cause == null) {
                cause = why;
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed either way
            }
        }
    }

    private final class Call extends CompletableFuture<Object> {
        final byte[] command; // encoded
        final long deadline;

        Call(byte[] command, long deadline) {
            this.command = command;
            this.deadline = deadline;
        }

        JedisConnectionException late() {
            return new JedisConnectionException("no reply within " + Duration.ofNanos(timeoutNanos).toMillis()
                    + " ms");
        }

        /** No reply in time; one already written may still run, as with any command whose reply is late. */
        void expire() {
            completeExceptionally(late());
        }
    }
}
