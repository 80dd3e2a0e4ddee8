package io.swarmgate.storage.redis;

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
import java.util.concurrent.TimeoutException;

/**
 * The commands of many request threads written to a few connections together (auto-pipelining), for a single
 * Redis server.
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
 * most {@code maxInFlight} calls wait at once; more callers wait for a slot, within the same timeout.
 */
final class PipelinedCalls implements AutoCloseable {
    /** Commands written in one go: a few tens of KB, well within one socket buffer. */
    static final int MAX_BATCH = 128;
    private static final int SENDERS = 2;

    private final Pool<Connection> pool;
    private final long timeoutNanos;
    private final int maxInFlight;
    private final Semaphore slots;
    private final LinkedBlockingQueue<Call> queue = new LinkedBlockingQueue<>();
    private final List<Thread> senders = new ArrayList<>();

    PipelinedCalls(Pool<Connection> pool, int maxInFlight, Duration timeout, String name) {
        this.pool = pool;
        this.timeoutNanos = timeout.toNanos();
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
        for (int i = 0; i < SENDERS; i++) {
            // platform threads: a virtual one blocked in a socket read would add a poller round per batch
            senders.add(Thread.ofPlatform().daemon().name(name + "-sender-" + i).start(this::send));
        }
    }

    /**
     * Sends one command and returns its reply as Jedis reads it raw (Long, byte[], List). An error reply is
     * thrown as the {@link JedisDataException} it is; no reply in time, or a connection failure, as a
     * {@link JedisConnectionException}.
     */
    Object call(CommandArguments command) {
        long deadline = System.nanoTime() + timeoutNanos;
        Call call = new Call(command);
        try {
            if (!slots.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw new JedisConnectionException("all " + maxInFlight + " calls in flight still waiting after "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
            }
            try {
                queue.add(call);
                return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } finally {
                slots.release();
            }
        } catch (TimeoutException e) {
            call.cancel(false); // skipped if still queued
            throw new JedisConnectionException("no reply within " + Duration.ofNanos(timeoutNanos).toMillis()
                    + " ms");
        } catch (InterruptedException e) {
            call.cancel(false);
            Thread.currentThread().interrupt();
            throw new JedisConnectionException("interrupted while waiting for Redis", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JedisDataException data) {
                throw data; // an error reply to this command alone (say, "Function not found")
            }
            throw new JedisConnectionException(String.valueOf(e.getCause().getMessage()), e.getCause());
        }
    }

    /** Callers holding a slot: queued, sent, or about to be (for tests). */
    int inFlight() {
        return maxInFlight - slots.availablePermits();
    }

    private void send() {
        List<Call> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return; // closed
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            batch.removeIf(CompletableFuture::isDone); // timed out while queued
            if (!batch.isEmpty()) {
                sendBatch(batch);
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
            for (int i = 0; i < batch.size(); i++) {
                Object reply = replies.get(i);
                if (reply instanceof JedisDataException e) {
                    batch.get(i).completeExceptionally(e);
                } else {
                    batch.get(i).complete(reply);
                }
            }
        } catch (RuntimeException e) {
            // unreachable, timed out, broken mid-batch: none of these replies can be trusted (a broken
            // connection is destroyed by the pool, not reused)
            for (Call call : batch) {
                call.completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
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

    private static final class Call extends CompletableFuture<Object> {
        final CommandArguments command;

        Call(CommandArguments command) {
            this.command = command;
        }
    }
}
