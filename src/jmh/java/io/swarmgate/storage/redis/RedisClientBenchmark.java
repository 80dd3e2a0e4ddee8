package io.swarmgate.storage.redis;

import com.sun.management.OperatingSystemMXBean;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.swarmgate.bittorrent.IpAddress;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jedis against Lettuce on the store's own workload (issue 9: "decide by measurement"): the real announce function
 * (the library {@link RedisPeerStore} loads, {@code FCALL sg_announce_<version>}) in a real
 * {@code redis-server} that this tool starts ({@code --save '' --appendonly no}, pinned to core 0, stopped by PID),
 * 1,000 swarms of 50 peers (10 seeders, 40 leechers), every call a steady-state announce of a random peer of a
 * random swarm with numwant 50. Clients, in interleaved rounds:
 * <ul>
 *   <li>{@code jedis-T}: T virtual threads, each calling FCALL in a loop over a {@link JedisPooled} of
 *       {@code pool} connections (the store's setup: blocking calls on virtual threads);</li>
 *   <li>{@code lettuce-W}: one Lettuce connection, asynchronous FCALL with at most W in flight (a semaphore).</li>
 *   <li>{@code pipelined-W}: the store's own {@link PipelinedCalls} over that Jedis pool (what the store runs
 *       since it pipelines), {@code submit} with at most W in flight, as the UDP frontend calls it.</li>
 * </ul>
 * Per round: calls/s, p50/p99 of each call, the client JVM's CPU per call (whole process, JIT and GC included:
 * {@code OperatingSystemMXBean.getProcessCpuTime}) and redis-server's ({@code INFO cpu}). Run it with the JVM on
 * core 1: {@code taskset -c 1 ./mvnw -B -q -Pbench -DskipTests test-compile exec:exec
 * -Dbench.main=io.swarmgate.storage.redis.RedisClientBenchmark -Dbench.args="--port 25300"}. Options:
 * {@code --port --rounds --seconds --warmup --pool --clients jedis-32,jedis-64,lettuce-32,lettuce-64,pipelined-64}.
 */
public final class RedisClientBenchmark {
    private static final int SWARMS = 1_000;
    private static final int PEERS = 50;
    private static final int SEEDERS = 10;
    private static final int NUMWANT = 50;
    private static final long LIFETIME = 31 * 60;

    private final byte[][][] keys = new byte[SWARMS][][];
    private final byte[][] hex = new byte[SWARMS][];
    private final RedisPeerStore.Library library = RedisPeerStore.Library.load();
    private final byte[] announce = library.function("sg_announce");
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private RedisClientBenchmark() {
        for (int s = 0; s < SWARMS; s++) {
            String h = String.format(Locale.ROOT, "%040x", s * 0x9E3779B97F4A7C15L & Long.MAX_VALUE);
            String p = "sg:{" + h + "}:";
            hex[s] = h.getBytes(StandardCharsets.US_ASCII);
            keys[s] = Arrays.stream(new String[] {p + "4s", p + "4l", p + "6s", p + "6l", p + "seen", p + "ids",
                    p + "downloaded", "sg:swarms:{all}", "sg:totals:{all}", p + "n", p + "timeline", p + "groups"})
                    .map(k -> k.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
        }
    }

    /** The 12 arguments of a steady-state announce of peer {@code peer} of swarm {@code swarm}, as the store sends them. */
    private byte[][] args(int swarm, int peer) {
        long now = System.currentTimeMillis() / 1000;
        byte[] id = new byte[20];
        Arrays.fill(id, (byte) 'a');
        id[0] = (byte) swarm;
        id[1] = (byte) (swarm >>> 8);
        id[2] = (byte) peer;
        return new byte[][] {hex[swarm], number(now - LIFETIME), number(now), {'n'}, {peer < SEEDERS ? (byte) '1' : (byte) '0'},
                RedisPeerStore.member(IpAddress.ipv4(0x0a000000 | swarm << 8 | peer), 6881), id, number(NUMWANT),
                number(ThreadLocalRandom.current().nextLong(1L << 31)), number(0), number(0), number(0)};
    }

    private static byte[] number(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[]> list(byte[][] a) {
        return Arrays.asList(a);
    }

    public static void main(String[] argv) throws Exception {
        int port = 25300;
        int rounds = 3;
        int seconds = 10;
        int warmup = 3;
        int pool = 32;
        List<String> clients = List.of("jedis-32", "jedis-64", "lettuce-32", "lettuce-64", "pipelined-64");
        for (int i = 0; i + 1 < argv.length; i += 2) {
            String v = argv[i + 1];
            switch (argv[i]) {
                case "--port" -> port = Integer.parseInt(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--pool" -> pool = Integer.parseInt(v);
                case "--clients" -> clients = List.of(v.split(","));
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        Process redis = new ProcessBuilder("taskset", "-c", "0", "redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            new RedisClientBenchmark().run(port, rounds, seconds, warmup, pool, clients);
        } finally {
            redis.destroy(); // by PID
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void run(int port, int rounds, int seconds, int warmup, int pool, List<String> clients) throws Exception {
        GenericObjectPoolConfig<Connection> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(pool);
        config.setMaxIdle(pool);
        config.setJmxEnabled(false);
        HostAndPort node = new HostAndPort("127.0.0.1", port);
        DefaultJedisClientConfig client = DefaultJedisClientConfig.builder().build();
        try (JedisPooled jedis = new JedisPooled(config, node, client)) {
            awaitUp(jedis);
            jedis.functionLoadReplace(library.source());
            fill(jedis);
            RedisClient lettuceClient = RedisClient.create(RedisURI.create("127.0.0.1", port));
            try (StatefulRedisConnection<byte[], byte[]> lettuce = lettuceClient.connect(ByteArrayCodec.INSTANCE);
                 PipelinedCalls pipelined = new PipelinedCalls(node, client, pool, Duration.ofSeconds(2), "bench")) {
                System.out.printf(Locale.ROOT, "# %d swarms of %d peers, numwant %d, pool %d, %d s rounds after %d s warm-up%n",
                        SWARMS, PEERS, NUMWANT, pool, seconds, warmup);
                System.out.println("round client calls_per_s p50_us p99_us client_cpu_us_per_call redis_cpu_us_per_call");
                for (int r = 1; r <= rounds; r++) {
                    for (String c : clients) {
                        String[] kv = c.split("-");
                        int n = Integer.parseInt(kv[1]);
                        Load load = switch (kv[0]) {
                            case "jedis" -> deadline -> jedisRound(jedis, n, deadline);
                            case "lettuce" -> deadline -> lettuceRound(lettuce.async(), n, deadline);
                            case "pipelined" -> deadline -> pipelinedRound(pipelined, n, deadline);
                            default -> throw new IllegalArgumentException("unknown client " + c);
                        };
                        load.until(System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup));
                        double redis0 = redisCpu(jedis);
                        long cpu0 = os.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        Latencies lat = load.until(t0 + TimeUnit.SECONDS.toNanos(seconds));
                        long elapsed = System.nanoTime() - t0;
                        long cpu = os.getProcessCpuTime() - cpu0;
                        double redisSeconds = redisCpu(jedis) - redis0;
                        int calls = lat.count();
                        System.out.printf(Locale.ROOT, "%d %s %.0f %.0f %.0f %.1f %.1f%s%n", r, c, calls * 1e9 / elapsed,
                                lat.percentile(0.50) / 1e3, lat.percentile(0.99) / 1e3, cpu / 1e3 / calls,
                                redisSeconds * 1e6 / calls,
                                lat.failures.get() == 0 ? "" : " FAILED " + lat.failures.get());
                    }
                }
            } finally {
                lettuceClient.shutdown();
            }
        }
    }

    private interface Load {
        Latencies until(long deadline) throws Exception;
    }

    private Latencies jedisRound(JedisPooled jedis, int threads, long deadline) throws InterruptedException {
        Latencies lat = new Latencies();
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                vt.submit(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (System.nanoTime() < deadline) {
                        int s = rnd.nextInt(SWARMS);
                        byte[][] a = args(s, rnd.nextInt(PEERS));
                        long start = System.nanoTime();
                        List<?> reply = (List<?>) jedis.fcall(announce, list(keys[s]), list(a));
                        lat.add(System.nanoTime() - start);
                        if (!valid(reply)) {
                            lat.failed();
                        }
                    }
                    return null;
                });
            }
        }
        return lat;
    }

    private Latencies lettuceRound(RedisAsyncCommands<byte[], byte[]> redis, int window, long deadline)
            throws InterruptedException {
        String function = new String(announce, StandardCharsets.US_ASCII);
        return windowed(window, deadline, (s, a) -> redis.<List<?>>fcall(function, ScriptOutputType.MULTI, keys[s], a));
    }

    private Latencies pipelinedRound(PipelinedCalls calls, int window, long deadline) throws InterruptedException {
        return windowed(window, deadline, (s, a) -> {
            CommandArguments command = new CommandArguments(Protocol.Command.FCALL).add(announce).add(keys[s].length);
            for (byte[] k : keys[s]) {
                command.add(k);
            }
            for (byte[] arg : a) {
                command.add(arg);
            }
            return calls.submit(command);
        });
    }

    /** An asynchronous call of sg_announce for swarm s with arguments a; its reply. */
    private interface AsyncCall {
        CompletionStage<?> call(int swarm, byte[][] args);
    }

    /** Calls from one thread with at most window in flight (a semaphore) until the deadline, then waits for the last. */
    private Latencies windowed(int window, long deadline, AsyncCall client) throws InterruptedException {
        Latencies lat = new Latencies();
        Semaphore inFlight = new Semaphore(window);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (System.nanoTime() < deadline) {
            inFlight.acquire();
            int s = rnd.nextInt(SWARMS);
            byte[][] a = args(s, rnd.nextInt(PEERS));
            long start = System.nanoTime();
            client.call(s, a).whenComplete((reply, failure) -> {
                lat.add(System.nanoTime() - start);
                if (failure != null || !valid((List<?>) reply)) {
                    lat.failed();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(window); // the round ends when its last call has
        return lat;
    }

    /**
     * complete, incomplete, tiers, the one tier's count and the peers in a few strings of packed entries: 40 or 49
     * in a steady swarm, or 50 with the announcer's own entry, which the store drops.
     */
    private static boolean valid(List<?> reply) {
        if (reply == null || reply.size() < 5) {
            return false;
        }
        int bytes = 0;
        for (Object piece : reply.subList(4, reply.size())) {
            if (!(piece instanceof byte[] b)) {
                return false;
            }
            bytes += b.length;
        }
        return bytes == 40 * 26 || bytes == 49 * 26 || bytes == 50 * 26;
    }

    private void fill(JedisPooled jedis) {
        for (int s = 0; s < SWARMS; s++) {
            try (Pipeline p = jedis.pipelined()) {
                for (int peer = 0; peer < PEERS; peer++) {
                    p.fcall(announce, list(keys[s]), list(args(s, peer)));
                }
            }
        }
    }

    private static void awaitUp(JedisPooled jedis) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                jedis.ping();
                return;
            } catch (RuntimeException e) {
                if (i == 100) {
                    throw e;
                }
                Thread.sleep(50); // polling a starting server, not a test wait
            }
        }
    }

    /** redis-server's CPU time (user + system, all threads) in seconds. */
    private static double redisCpu(JedisPooled jedis) {
        double sum = 0;
        for (String line : jedis.info("cpu").split("\r\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                sum += Double.parseDouble(line.substring(line.indexOf(':') + 1));
            }
        }
        return sum;
    }

    /** Every call's latency in nanoseconds; thread-safe, appended to by the clients' threads. */
    private static final class Latencies {
        private final long[] nanos = new long[2_000_000];
        private final AtomicInteger n = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();

        void failed() {
            failures.incrementAndGet();
        }

        void add(long ns) {
            int i = n.getAndIncrement();
            if (i < nanos.length) {
                nanos[i] = ns;
            }
        }

        int count() {
            return Math.min(n.get(), nanos.length);
        }

        double percentile(double q) {
            long[] sorted = Arrays.copyOf(nanos, count());
            Arrays.sort(sorted);
            return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
        }
    }
}
