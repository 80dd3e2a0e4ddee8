package io.swarmgate.storage.redis;

import io.swarmgate.concurrent.Burst;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.Pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The commands of many request threads written to a few connections together (auto-pipelining), for one
 * Redis server: a single server, or one master of a Cluster ({@link ClusterPipelines}).
 *
 * <p><b>Why.</b> With one connection per call, as a pool of blocking connections gives, every announce costs
 * Redis an {@code epoll} wake-up, a {@code read} and a {@code write} (which, on loopback or a LAN, also runs
 * the TCP delivery), and the tracker a pool borrow, a write and a blocking read: a large share of both
 * processes' CPU per announce next to the ~25 µs the function itself takes (README, "Where redis-server's
 * time goes"). Here a caller queues its command and waits; each sender thread takes everything queued (up to
 * {@link #MAX_BATCH}), writes it with one flush and reads the replies in order, so Redis reads many commands per
 * {@code read} and answers them with one {@code write}. Two senders keep Redis busy while one of them is
 * between batches.
 *
 * <p><b>What does not change.</b> Each command is still one atomic function call; pipelining only shares the
 * socket. A caller waits for its own reply, so its next call is never sent before the previous one ran. A
 * caller waits at most the timeout in all (for a slot, in the queue, for the reply); a call that timed out
 * before it was sent is dropped, one already sent may still run, as with any command whose reply is late. At
 * most {@code maxInFlight} {@link #call blocking calls} wait at once; more callers wait for a slot, within the
 * same timeout.
 *
 * <p><b>Asynchronous calls.</b> {@link #submit} queues a command and returns its reply's future at once, for a
 * caller that serves many requests per thread (the UDP frontend) and bounds its own calls in flight. Its
 * completion, and whatever the caller chained to it, runs on a sender thread as soon as the reply is read, in
 * one {@link Burst} with the rest of its batch's replies.
 *
 * <p><b>Deadlines.</b> Every call carries its deadline; one thread looks at the queued and sent calls every
 * {@link #tick} (a tenth of the timeout, at most 20 ms) and fails those past it. No caller parks with a timer of
 * its own, which cost a delay-queue insertion and removal per call; a late answer comes at most one tick late.
 */
final class PipelinedCalls implements AutoCloseable {
    /** Commands written in one go: a few tens of KB, well within one socket buffer. */
    static final int MAX_BATCH = 128;
    private static final int SENDERS = 2;
    /** How long a call that came alone waits for others to share its batch: a small part of a round trip's budget. */
    static final long LINGER_NANOS = 200_000L;

    private final Pool<Connection> pool;
    private final long timeoutNanos;
    private final int maxInFlight;
    private final Semaphore slots;
    private final LinkedBlockingQueue<Call> queue = new LinkedBlockingQueue<>();
    private final List<Thread> senders = new ArrayList<>();
    /** Per sender the batch on the wire (or empty), for the deadline thread. */
    private final AtomicReferenceArray<Call[]> sent = new AtomicReferenceArray<>(SENDERS);
    private final Thread deadlines;
    /** Held by the sender that is taking the next batch. */
    private final ReentrantLock collecting = new ReentrantLock();
    private final long tickNanos;
    private volatile boolean closed;

    PipelinedCalls(Pool<Connection> pool, int maxInFlight, Duration timeout, String name) {
        this.pool = pool;
        this.timeoutNanos = timeout.toNanos();
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
        this.tickNanos = tick(timeout).toNanos();
        for (int i = 0; i < SENDERS; i++) {
            int sender = i;
            sent.set(i, NONE);
            // platform threads: a virtual one blocked in a socket read would add a poller round per batch
            senders.add(Thread.ofPlatform().daemon().name(name + "-sender-" + i).start(() -> send(sender)));
        }
        deadlines = Thread.ofPlatform().daemon().name(name + "-deadlines").start(this::expire);
    }

    /** How often deadlines are checked: how late, at most, a call that got no reply is failed. */
    static Duration tick(Duration timeout) {
        return Duration.ofNanos(Math.clamp(timeout.toNanos() / 10, 1_000_000L, 20_000_000L));
    }

    /**
     * Sends one command and returns its reply as Jedis reads it raw (Long, byte[], List). An error reply is
     * thrown as the {@link JedisDataException} it is; no reply in time, or a connection failure, as a
     * {@link JedisConnectionException}.
     */
    Object call(CommandArguments command) {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            if (!slots.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw new JedisConnectionException("all " + maxInFlight + " calls in flight still waiting after "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
            }
            try {
                return enqueue(command, deadline).get(); // untimed: the deadline thread fails it in time
            } finally {
                slots.release();
            }
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
     * Queues one command and returns its reply's future: completed on a sender thread with the raw reply, or
     * exceptionally with the {@link JedisDataException} of an error reply, or a {@link JedisConnectionException}
     * (no reply within the timeout, a connection failure, closed). Takes no slot: the caller bounds its own
     * calls in flight.
     */
    CompletableFuture<Object> submit(CommandArguments command) {
        return enqueue(command, System.nanoTime() + timeoutNanos);
    }

    private Call enqueue(CommandArguments command, long deadline) {
        Call call = new Call(command, deadline);
        queue.add(call);
        if (closed && queue.remove(call)) { // close() may have drained the queue already
            call.completeExceptionally(new JedisConnectionException("store closed"));
        }
        return call;
    }

    /** Callers holding a slot: queued, sent, or about to be (for tests). */
    int inFlight() {
        return maxInFlight - slots.availablePermits();
    }

    private void send(int sender) {
        List<Call> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                collect(batch);
            } catch (InterruptedException e) {
                return; // closed
            }
            batch.removeIf(CompletableFuture::isDone); // timed out while queued
            if (!batch.isEmpty()) {
                sent.set(sender, batch.toArray(NONE));
                sendBatch(batch);
                sent.set(sender, NONE);
            }
            batch.clear();
        }
    }

    private void sendBatch(List<Call> batch) {
        try (Connection c = pool.getResource()) {
            for (Call call : batch) {
                c.sendCommand(call.command);
            }
            List<Object> replies = c.getMany(batch.size()); // flushes, then reads the replies in order
            // one burst: what the callers chained defers its sends to the end (one UDP system call for all)
            Burst.run(() -> {
                for (int i = 0; i < batch.size(); i++) {
                    Object reply = replies.get(i);
                    if (reply instanceof JedisDataException e) {
                        batch.get(i).completeExceptionally(e);
                    } else {
                        batch.get(i).complete(reply);
                    }
                }
            });
        } catch (RuntimeException e) {
            // unreachable, timed out, broken mid-batch: none of these replies can be trusted (a broken
            // connection is destroyed by the pool, not reused)
            Burst.run(() -> batch.forEach(call -> call.completeExceptionally(e)));
        }
    }

    /**
     * Takes the next batch: waits for a call, and when it came alone (nothing else queued: a light load) waits
     * {@link #LINGER_NANOS} more for company before taking what is queued. One sender collects at a time, so
     * the calls of that wait go together instead of each waking the other sender: under a light load every
     * call would otherwise cost Redis an {@code epoll} wake-up, a {@code read} and a {@code write}, and the
     * tracker a sender's wake-up, which made a call at 8,000/s cost about twice its CPU at saturation (README,
     * "Ninth session"). Under load the queue is never empty here and nothing waits.
     */
    private void collect(List<Call> batch) throws InterruptedException {
        collecting.lockInterruptibly();
        try {
            batch.add(queue.take());
            if (queue.isEmpty()) {
                LockSupport.parkNanos(LINGER_NANOS);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            queue.drainTo(batch, MAX_BATCH - 1);
        } finally {
            collecting.unlock();
        }
    }

    /** Fails the calls past their deadline, queued or sent, once per tick, until closed. */
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
            for (int i = 0; i < SENDERS; i++) {
                for (Call call : sent.get(i)) {
                    if (call.deadline - now <= 0) {
                        call.expire();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        deadlines.interrupt();
        senders.forEach(Thread::interrupt);
        for (Thread t : senders) {
            try {
                t.join(timeoutNanos / 1_000_000 + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        JedisConnectionException closed = new JedisConnectionException("store closed");
        for (Call call; (call = queue.poll()) != null; ) {
            call.completeExceptionally(closed);
        }
    }

    private static final Call[] NONE = {};

    private final class Call extends CompletableFuture<Object> {
        final CommandArguments command;
        final long deadline;

        Call(CommandArguments command, long deadline) {
            this.command = command;
            this.deadline = deadline;
        }

        /** No reply in time; one already sent may still run, as with any command whose reply is late. */
        void expire() {
            completeExceptionally(new JedisConnectionException("no reply within "
                    + Duration.ofNanos(timeoutNanos).toMillis() + " ms"));
        }
    }
}
