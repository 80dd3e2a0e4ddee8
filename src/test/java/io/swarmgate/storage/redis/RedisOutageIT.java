package io.swarmgate.storage.redis;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.protocol.udp.UdpErrorResponse;
import io.swarmgate.protocol.udp.UdpResponse;
import io.swarmgate.testing.RawHttp;
import io.swarmgate.testing.RedisServers;
import io.swarmgate.testing.UdpClient;
import io.swarmgate.testing.Wire;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis SIGKILLed under load and started again on its port (or SIGSTOPped and resumed: a hung server, whose
 * failures take the timeout): while it is gone every announce is answered, fast,
 * with "storage unavailable" over HTTP and UDP, counted under its own result label, and readiness names the
 * store; once it is back the same tracker process serves fully again. On a Cluster one master (the seed) is
 * killed: the swarms of its slots fail while it is gone (the others are served by theirs), and its pipeline
 * serves again once it is back.
 */
class RedisOutageIT {
    private static final long TIMEOUT_MILLIS = 300;
    private static final String UNAVAILABLE = "storage unavailable";

    /** What a load thread saw, by outcome: "ok", "storage unavailable" or anything else (a failure). */
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong slowestFailureNanos = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);

    /**
     * {@code hung}: the server is SIGSTOPped instead, its connections open and silent (a hung host), and SIGCONTed
     * instead of restarted: calls then fail only at their deadline, and the pipeline closes the silent connection
     * and opens another. Not on a Cluster: a master stopped for longer than the Cluster's node timeout is marked
     * failed by the others, and the Cluster then takes tens of seconds to clear that once it answers again (its
     * own failure detection, not the store's; that case took about 8, 26 and 56 s in three runs), while the
     * pipeline is the one tested here.
     */
    @ParameterizedTest(name = "cluster={0}, hung={1}")
    @CsvSource({"false, false", "true, false", "false, true"})
    void failsClearlyWhileRedisIsDownAndRecoversWithoutARestart(boolean cluster, boolean hung) throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (RedisServers redis = cluster ? RedisServers.cluster() : RedisServers.single();
             Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml("""
                     http: {port: 0, host: 127.0.0.1}
                     udp: {port: 0, host: 127.0.0.1, connection-id-secret: outage-test-secret-0123}
                     metrics: {port: 0, host: 127.0.0.1}
                     storage:
                       type: redis
                       redis: {uri: "%s", cluster: %s, timeout: %dms, pool-size: 8}
                     """.formatted(redis.uri(), cluster, TIMEOUT_MILLIS)), meters, InstantSource.system());
             UdpClient udp = new UdpClient("127.0.0.1", tracker.udpPort(), 1)) {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + tracker.metricsPort() + "/health/ready");
            long connectionId = udp.connect(); // stateless: stays valid while Redis is down
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                load.add(Thread.ofPlatform().start(() -> httpLoad(tracker, n)));
            }
            load.add(Thread.ofPlatform().start(() -> udpLoad(tracker, 10)));

            until("announces succeed", () -> count("ok") > 20);
            assertEquals(200, get(http, ready).statusCode());

            RedisServers.Node killed = redis.nodes().getFirst();
            int lost = servedBy(redis, killed); // a swarm whose server is the one killed
            if (hung) {
                redis.pause(killed);
            } else {
                redis.kill(killed);
            }
            long okBefore = count("ok");
            until("announces fail while Redis is down", () -> count(UNAVAILABLE) > 50);
            // at once on a single server (every call fails); on a Cluster by the masters' probe, once a second
            until("not ready while it is down", () -> get(http, ready).statusCode() == 503);
            HttpResponse<String> down = get(http, ready);
            assertEquals(503, down.statusCode());
            assertTrue(down.body().contains("redis store redis://127.0.0.1:" + killed.port), down.body());
            if (cluster) {
                assertTrue(down.body().contains("Cluster master 127.0.0.1:" + killed.port + " "), down.body());
                // the other masters' swarms are still served
                long ok = count("ok");
                until("the other masters' swarms served meanwhile", () -> count("ok") > ok + 20);
            }
            // a UDP announce gets a BEP 15 error, and the HTTP failure reason is the same
            UdpResponse r = udp.exchange(udp.announceRequest(connectionId, InfoHash.of(hash(lost)), 100, 50,
                    udp.port, ""));
            assertEquals(UNAVAILABLE, assertInstanceOf(UdpErrorResponse.class, r).message());

            if (hung) {
                redis.resume(killed);
            } else {
                redis.restart(killed);
            }
            until("ready again", () -> get(http, ready).statusCode() == 200);
            long okAfter = count("ok");
            until("announces succeed again", () -> count("ok") > okAfter + 50);
            running.set(false);
            for (Thread t : load) {
                t.join(10_000);
            }

            assertEquals(Map.of(), others(), "every answer was a success or 'storage unavailable'");
            assertTrue(okAfter >= okBefore);
            assertTrue(slowestFailureNanos.get() < (TIMEOUT_MILLIS + 1_000) * 1_000_000,
                    "a failure took " + slowestFailureNanos.get() / 1_000_000 + " ms");
            // full service: every announce now succeeds, on both frontends (swarms no load thread reached)
            for (int i = 0; i < 50; i++) {
                assertEquals(null, announce(tracker, 10_000_000 + i).get("failure reason"));
                UdpAnnounceResponse a = udp.announce(connectionId, InfoHash.of(hash(20_000_000 + i)), 100, 2);
                assertEquals(1, a.leechers());
            }
            String scrape = meters.scrape();
            assertTrue(scrape.contains("result=\"storage_unavailable\""), "failures have their own label");
        } finally {
            running.set(false);
        }
    }

    private void httpLoad(Swarmgate tracker, int thread) {
        for (int i = 0; running.get() && i < 1_000_000; i++) {
            long start = System.nanoTime();
            try {
                Object reason = announce(tracker, thread * 1_000_000 + i).get("failure reason");
                record(reason == null ? "ok" : new String((byte[]) reason, StandardCharsets.UTF_8), start);
            } catch (Exception | AssertionError e) {
                record("http: " + e, start);
            }
        }
    }

    private void udpLoad(Swarmgate tracker, int n) {
        try (UdpClient c = new UdpClient("127.0.0.1", tracker.udpPort(), n)) {
            long id = c.connect();
            for (int i = 0; running.get() && i < 1_000_000; i++) {
                long start = System.nanoTime();
                try {
                    UdpResponse r = c.exchange(c.announceRequest(id, InfoHash.of(hash(i)), 100, 50, c.port, ""));
                    record(r instanceof UdpErrorResponse e ? e.message()
                            : r instanceof UdpAnnounceResponse ? "ok" : "udp: " + r, start);
                } catch (Exception | AssertionError e) {
                    record("udp: " + e, start);
                }
            }
        } catch (Exception e) {
            record("udp: " + e, System.nanoTime());
        }
    }

    private void record(String outcome, long start) {
        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
        if (!outcome.equals("ok")) {
            slowestFailureNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        }
    }

    private long count(String outcome) {
        AtomicLong n = outcomes.get(outcome);
        return n == null ? 0 : n.get();
    }

    private Map<String, Long> others() {
        Map<String, Long> out = new java.util.TreeMap<>();
        outcomes.forEach((k, v) -> {
            if (!k.equals("ok") && !k.equals(UNAVAILABLE)) {
                out.put(k, v.get());
            }
        });
        return out;
    }

    private static Map<String, Object> announce(Swarmgate tracker, int n) throws java.io.IOException {
        String query = "/announce?info_hash=" + pct(hash(n)) + "&peer_id=" + pct(hash(n)) + "&port=6881"
                + "&uploaded=0&downloaded=0&left=100";
        RawHttp.Response r = RawHttp.get(null, "127.0.0.1", tracker.httpPort(), query);
        return Bencode.decodeDict(r.body());
    }

    /** The first n from 99 whose swarm, {@code hash(n)}, is served by {@code node} (on a single server: 99). */
    private static int servedBy(RedisServers redis, RedisServers.Node node) {
        if (!redis.isCluster()) {
            return 99;
        }
        // CLUSTER NODES: the line flagged "myself" ends with the slot ranges it serves, "0-5460" or "5461"
        List<int[]> ranges = new ArrayList<>();
        for (String line : redis.cli(node, "CLUSTER", "NODES").split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length > 2 && f[2].contains("myself")) {
                for (int i = 8; i < f.length; i++) {
                    String[] ab = f[i].split("-");
                    ranges.add(new int[] {Integer.parseInt(ab[0]), Integer.parseInt(ab[ab.length - 1])});
                }
            }
        }
        for (int n = 99; n < 1_000_000; n++) {
            int slot = JedisClusterCRC16.getSlot(InfoHash.of(hash(n)).hex());
            if (ranges.stream().anyMatch(r -> r[0] <= slot && slot <= r[1])) {
                return n;
            }
        }
        throw new AssertionError("no swarm on node " + node.port + ", which serves " + ranges.size() + " ranges");
    }

    private static byte[] hash(int n) {
        byte[] h = new byte[20];
        java.nio.ByteBuffer.wrap(h).putInt(0, 0x5eed).putInt(16, n);
        return h;
    }

    /** Waits (bounded) for what the load threads or the tracker make true on their own schedule. */
    private static void until(String what, java.util.function.BooleanSupplier condition) {
        Wire.eventually(what, java.time.Duration.ofSeconds(30), condition);
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
