package io.swarmgate.frontend.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.frontend.QueryString;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.storage.memory.MemoryPeerStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What an HTTP announce costs the tracker itself, without Helidon: the workload of {@code
 * bench/compare-opentracker.sh} (1,000 swarms of 50 peers, a fifth seeding, {@code event=started}, numwant 50,
 * compact, the same query text wrk sends), taken apart. {@code storeStepAndAnswer} is the work no HTTP server can
 * take off the tracker (the store's announce step and the bencoded 50-peer answer); {@code route} is everything
 * {@code TrackerHttpService.announce} does besides Helidon's calls (query parse, store step, answer, request
 * timer); the difference between the two is the route's own overhead. Compare with a keep-alive announce's
 * CPU per request against the trivial route's (docs/performance.md "HTTP per-request cost").
 * Run: {@code ./mvnw -B -Pbench -DskipTests test-compile exec:exec -Dbench.args="HttpAnnounceBenchmark"}; on a
 * shared machine, where JMH's wall-clock times include the time the thread waited for a core, {@link #main} gives
 * the thread's CPU time per operation instead: {@code -Dbench.main=io.swarmgate.frontend.http.HttpAnnounceBenchmark
 * -Dbench.args="10"} (seconds per case, after as long again of warm-up).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HttpAnnounceBenchmark {
    static final int SWARMS = 1_000;
    static final int PEERS = 50_000;
    static final IpAddress CLIENT = IpAddress.parse("127.0.0.1");

    @State(Scope.Benchmark)
    public static class Tracker {
        TrackerLogic logic;
        RequestMetrics metrics;
        String[] queries;
        AnnounceRequest[] requests;

        @Setup
        public void fill() throws ClientError {
            MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(),
                    ThreadLocalRandom::current);
            logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(), List.of());
            metrics = new RequestMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            SplittableRandom rnd = new SplittableRandom(1);
            String[] hashes = new String[SWARMS];
            for (int s = 0; s < SWARMS; s++) {
                StringBuilder h = new StringBuilder();
                for (int i = 0; i < 20; i++) {
                    h.append('%').append(String.format("%02x", rnd.nextInt(256)));
                }
                hashes[s] = h.toString();
            }
            queries = new String[PEERS];
            requests = new AnnounceRequest[PEERS];
            for (int p = 0; p < PEERS; p++) {
                // as bench/compare-opentracker.sh's announce.lua writes them
                long left = (p / SWARMS) % 5 == 0 ? 0 : 1_000_000;
                queries[p] = "info_hash=" + hashes[p % SWARMS] + "&peer_id=-WR0001-" + String.format("%012d", p)
                        + "&port=" + (1024 + p % 60000) + "&uploaded=0&downloaded=0&left=" + left
                        + "&event=started&numwant=50&compact=1";
                requests[p] = AnnounceParser.announce(QueryString.parseQuery(queries[p]), CLIENT, false, "");
                logic.announce(requests[p], new CompactPeerBuffer(AddressFamily.IPV4)); // every swarm full
            }
        }
    }

    /** Which peer announces next: a stride coprime to the population, so swarms and peers are mixed as wrk's are. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int next() {
            next = (next + 7_919) % PEERS;
            return next;
        }
    }

    /** The store's announce step (through TrackerLogic, no hooks), its 50 peers written as compact bytes. */
    @Benchmark
    public AnnounceContext storeStep(Tracker t, Cursor c) throws ClientError {
        return t.logic.announce(t.requests[c.next()], new CompactPeerBuffer(AddressFamily.IPV4));
    }

    /** The unavoidable part: the store step and the bencoded answer that HTTP sends. */
    @Benchmark
    public byte[] storeStepAndAnswer(Tracker t, Cursor c) throws ClientError {
        CompactPeerBuffer peers = new CompactPeerBuffer(AddressFamily.IPV4);
        AnnounceContext answered = t.logic.announce(t.requests[c.next()], peers);
        return ResponseWriter.announceCompact(answered.response(), AddressFamily.IPV4, peers);
    }

    /** The query, parsed and checked into an announce request. */
    @Benchmark
    public AnnounceRequest parse(Tracker t, Cursor c) throws ClientError {
        return AnnounceParser.announce(QueryString.parseQuery(t.queries[c.next()]), CLIENT, false, "");
    }

    /** What the announce route does besides Helidon's calls: parse, store step, answer, request timer. */
    @Benchmark
    public byte[] route(Tracker t, Cursor c) throws ClientError {
        long start = System.nanoTime();
        AnnounceRequest request = AnnounceParser.announce(QueryString.parseQuery(t.queries[c.next()]), CLIENT,
                false, "");
        CompactPeerBuffer peers = new CompactPeerBuffer(request.family());
        AnnounceContext answered = t.logic.announce(request, peers);
        byte[] body = ResponseWriter.announceCompact(answered.response(), request.family(), peers);
        t.metrics.record(Frontend.HTTP, Action.ANNOUNCE, request.family(), RequestMetrics.OK,
                System.nanoTime() - start);
        t.logic.afterAnnounce(answered);
        return body;
    }

    /** Thread CPU time per operation of each case, interleaved: warm-up round, then measured rounds. */
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 10;
        Tracker t = new Tracker();
        t.fill();
        Cursor c = new Cursor();
        HttpAnnounceBenchmark b = new HttpAnnounceBenchmark();
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        String[] names = {"storeStep", "storeStepAndAnswer", "parse", "route"};
        Op[] cases = {
                () -> b.storeStep(t, c).response().complete(),
                () -> b.storeStepAndAnswer(t, c).length,
                () -> b.parse(t, c).peer().port(),
                () -> b.route(t, c).length};
        long sink = 0;
        for (int round = 0; round <= 3; round++) {
            StringBuilder line = new StringBuilder(round == 0 ? "warm-up" : "round " + round);
            for (int k = 0; k < cases.length; k++) {
                long ops = 0;
                long cpu0 = cpu.getCurrentThreadCpuTime();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(round == 0 ? seconds : seconds / 3 + 1);
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 1000; i++) {
                        sink += cases[k].run();
                    }
                    ops += 1000;
                }
                double nanos = (cpu.getCurrentThreadCpuTime() - cpu0) / (double) ops;
                line.append(String.format(" %s %.0f ns", names[k], nanos));
            }
            System.out.println(line + " (CPU per op; load " + java.nio.file.Files.readString(
                    java.nio.file.Path.of("/proc/loadavg")).split(" ")[0] + ")");
        }
        System.out.println(sink == 42 ? "" : "done");
    }

    private interface Op {
        int run() throws ClientError;
    }
}
