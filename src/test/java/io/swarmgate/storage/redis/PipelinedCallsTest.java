package io.swarmgate.storage.redis;

import io.swarmgate.concurrent.Burst;
import io.swarmgate.testing.RedisServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline against a real redis-server: batching, per-command errors, and the timeout with a hung server. */
class PipelinedCallsTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private RedisServers redis;
    private RedisServers.Node node;
    private HostAndPort address;
    private DefaultJedisClientConfig client;

    @BeforeEach
    void start() {
        redis = RedisServers.single();
        node = redis.nodes().getFirst();
        int millis = (int) TIMEOUT.toMillis();
        address = new HostAndPort("127.0.0.1", node.port);
        client = DefaultJedisClientConfig.builder().connectionTimeoutMillis(millis).socketTimeoutMillis(millis)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build();
    }

    @AfterEach
    void stop() {
        redis.resume(node); // in case a test failed while it was paused
        redis.close();
    }

    private static byte[] incr() {
        return Resp.command(new CommandArguments(Protocol.Command.INCR).add("n"));
    }

    @Test
    void commandsWaitingTogetherReachRedisInFewReads() throws Exception {
        try (PipelinedCalls calls = new PipelinedCalls(address, client, 64, Duration.ofSeconds(20), "test")) {
            assertEquals(1L, calls.call(incr())); // connected
            long readsBefore = redis.reads();
            redis.pause(node);
            int callers = 50;
            Set<Object> replies = ConcurrentHashMap.newKeySet();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                threads.add(Thread.ofVirtual().start(() -> replies.add(calls.call(incr()))));
            }
            // every caller has its slot: its call is queued or on the wire, where the server will find it
            until(() -> calls.inFlight() == callers);
            redis.resume(node);
            for (Thread t : threads) {
                t.join();
            }
            Set<Object> expected = new HashSet<>();
            for (long n = 2; n <= callers + 1; n++) {
                expected.add(n);
            }
            assertEquals(expected, replies, "every caller got its own reply");
            // one read per command without pipelining; INFO itself is one more
            long reads = redis.reads() - readsBefore;
            assertTrue(reads <= 8, callers + " commands took " + reads + " reads");
        }
    }

    @Test
    void anErrorReplyFailsOnlyItsOwnCall() {
        try (PipelinedCalls calls = new PipelinedCalls(address, client, 8, TIMEOUT, "test")) {
            JedisDataException e = assertThrows(JedisDataException.class, () -> calls.call(
                    Resp.command(new CommandArguments(Protocol.Command.FCALL).add("no_such_function").add(0))));
            assertTrue(e.getMessage().startsWith(RedisPeerStore.Library.MISSING), e.getMessage());
            assertArrayEquals("PONG".getBytes(), (byte[]) calls.call(Resp.command(
                    new CommandArguments(Protocol.Command.ECHO).add("PONG"))));
        }
    }

    @Test
    void aHungServerFailsEveryCallWithinTheTimeoutAndServesOnceItAnswers() throws Exception {
        try (PipelinedCalls calls = new PipelinedCalls(address, client, 8, TIMEOUT, "test")) {
            assertEquals(1L, calls.call(incr()));
            redis.pause(node);
            List<Long> failedAfterMillis = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 20; i++) { // more callers than slots: some wait for one, within the same timeout
                threads.add(Thread.ofVirtual().start(() -> {
                    long start = System.nanoTime();
                    assertThrows(JedisConnectionException.class, () -> calls.call(incr()));
                    synchronized (failedAfterMillis) {
                        failedAfterMillis.add((System.nanoTime() - start) / 1_000_000);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(20, failedAfterMillis.size(), "every caller failed");
            for (long ms : failedAfterMillis) {
                assertTrue(ms < TIMEOUT.toMillis() + 1_000, "a call failed only after " + ms + " ms");
            }
            redis.resume(node);
            // connections that timed out were dropped; the next call gets a fresh one
            long n = (Long) calls.call(incr());
            assertTrue(n >= 2, "served again: " + n);
        }
    }

    @Test
    void submittedCallsAreAnsweredOrFailedWithinTheTimeoutWithoutAThreadEach() throws Exception {
        try (PipelinedCalls calls = new PipelinedCalls(address, client, 8, TIMEOUT, "test")) {
            assertEquals(1L, calls.submit(incr()).get());
            redis.pause(node);
            long start = System.nanoTime();
            List<CompletableFuture<Object>> pending = new ArrayList<>();
            for (int i = 0; i < 100; i++) { // more than the blocking calls' slots: submit takes none
                pending.add(calls.submit(incr()));
            }
            for (CompletableFuture<Object> f : pending) {
                ExecutionException e = assertThrows(ExecutionException.class, f::get);
                assertInstanceOf(JedisConnectionException.class, e.getCause());
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < TIMEOUT.toMillis() + PipelinedCalls.tick(TIMEOUT).toMillis() + 500,
                    "the last failed after " + millis + " ms");
            redis.resume(node);
            assertTrue((Long) calls.submit(incr()).get() >= 2, "served again");
        }
    }

    @Test
    void aBatchsRepliesCompleteInOneBurstSoWhatTheyDeferRunsAfterTheLastOfThem() throws Exception {
        try (PipelinedCalls calls = new PipelinedCalls(address, client, 64, Duration.ofSeconds(20), "test")) {
            assertEquals(1L, calls.submit(incr()).get()); // connected
            redis.pause(node);
            // written one by one (no burst here) while Redis cannot read: on its resumption it reads them
            // together and answers them in one write
            Map<String, List<String>> byThread = new ConcurrentHashMap<>();
            int n = 40;
            CountDownLatch deferredRan = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                calls.submit(incr()).thenRun(() -> {
                    List<String> log = byThread.computeIfAbsent(Thread.currentThread().getName(),
                            name -> new ArrayList<>());
                    log.add(Burst.active() ? "reply" : "reply outside a burst");
                    Burst.after(() -> {
                        log.add("deferred");
                        deferredRan.countDown();
                    });
                });
            }
            redis.resume(node);
            // a future completes inside its burst, before the burst's end runs what was deferred: wait for that
            assertTrue(deferredRan.await(20, TimeUnit.SECONDS), "deferred work left: " + deferredRan.getCount());
            int longest = 0;
            for (List<String> log : byThread.values()) {
                assertTrue(log.stream().allMatch(e -> e.equals("reply") || e.equals("deferred")), log.toString());
                int run = 0;
                for (String e : log) {
                    run = e.equals("reply") ? run + 1 : 0;
                    longest = Math.max(longest, run);
                }
                assertEquals("deferred", log.getLast(), "deferred work ran at its burst's end: " + log);
            }
            assertTrue(longest >= 2, "no batch's replies completed together: " + byThread);
        }
    }

    @Test
    void callsSubmittedInOneBurstGoOutInOneWrite() throws Exception {
        try (PipelinedCalls calls = new PipelinedCalls(address, client, 64, Duration.ofSeconds(20), "test")) {
            assertEquals(1L, calls.call(incr())); // connected
            long readsBefore = redis.reads();
            // what one redis-cli INFO adds to the count (its command, its close)
            long perInfo = redis.reads() - readsBefore;
            readsBefore += perInfo;
            List<CompletableFuture<Object>> replies = new ArrayList<>();
            Burst.run(() -> {
                for (int i = 0; i < 30; i++) {
                    replies.add(calls.submit(incr()));
                }
                assertEquals(0, redisCalls("incr") - 1, "written before the burst's end");
            });
            Set<Object> got = new HashSet<>();
            for (CompletableFuture<Object> f : replies) {
                got.add(f.get());
            }
            assertEquals(30, got.size(), "every call got its own reply: " + got);
            // less the two redis-cli INFOs since readsBefore
            long reads = redis.reads() - readsBefore - 2 * perInfo;
            assertEquals(1, reads, "30 calls of one burst took " + reads + " reads");
        }
    }

    /**
     * A call sent again (after loading the library, or after a refusal) keeps the deadline of the announce it
     * serves: with a hung server it fails at that deadline, blocking or not, not a whole timeout after it was
     * sent; one whose deadline has passed fails without waiting.
     */
    @Test
    void aCallWithTheCallersDeadlineFailsAtThatDeadline() throws Exception {
        Duration timeout = Duration.ofSeconds(3);
        try (PipelinedCalls calls = new PipelinedCalls(address, client, 8, timeout, "test")) {
            assertEquals(1L, calls.call(incr())); // connected
            redis.pause(node);
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(400);
            CompletableFuture<Object> submitted = calls.submit(incr(), deadline);
            assertThrows(JedisConnectionException.class, () -> calls.call(incr(), deadline));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> submitted.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            assertInstanceOf(JedisConnectionException.class, e.getCause());
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis < 400 + 500, "failed after " + tookMillis + " ms, deadline 400 ms, timeout 3 s");
            assertThrows(JedisConnectionException.class, () -> calls.call(incr(), System.nanoTime() - 1));
        }
    }

    @Test
    void theConnectionAuthenticatesAndSelectsTheDatabaseOfTheConfig() throws Exception {
        redis.cli(node, "CONFIG", "SET", "requirepass", "s3cret");
        try {
            DefaultJedisClientConfig authed = DefaultJedisClientConfig.builder().password("s3cret").database(3)
                    .clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build();
            try (PipelinedCalls calls = new PipelinedCalls(address, authed, 8, TIMEOUT, "test")) {
                assertEquals(1L, calls.call(incr()));
                assertEquals("1", redis.cli(node, "-a", "s3cret", "--no-auth-warning", "-n", "3", "GET", "n")
                        .strip());
            }
            DefaultJedisClientConfig wrong = DefaultJedisClientConfig.builder().password("wrong")
                    .clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build();
            try (PipelinedCalls calls = new PipelinedCalls(address, wrong, 8, TIMEOUT, "test")) {
                JedisConnectionException e = assertThrows(JedisConnectionException.class, () -> calls.call(incr()));
                assertTrue(e.getMessage().startsWith("AUTH refused"), e.getMessage());
            }
        } finally {
            redis.cli(node, "-a", "s3cret", "--no-auth-warning", "CONFIG", "SET", "requirepass", "");
        }
    }

    private long redisCalls(String command) {
        return redis.commandStats().getOrDefault(command, 0L);
    }

    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
