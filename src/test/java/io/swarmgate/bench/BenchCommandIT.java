package io.swarmgate.bench;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.cli.BenchCommand;
import io.swarmgate.cli.KeysCommand;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.protocol.udp.UdpResponses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code swarmgate bench} against an in-process tracker: what the bench says it got answered is what the tracker
 * counted as served (its {@code swarmgate_requests_seconds} counters), for every mode, and it refuses targets
 * that are not this machine.
 */
class BenchCommandIT {
    private static final String SHORT = "--duration=600ms --warmup=200ms --swarms=20 --peers=200 --timeout=20s";

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Swarmgate tracker;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
    }

    private void start(String hooks) {
        tracker = Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {host: 127.0.0.1, port: 0}
                udp: {host: 127.0.0.1, port: 0, connection-id-secret: bench-test-secret-0123456789}
                metrics: {enabled: false}
                """ + hooks), meters, InstantSource.system());
    }

    private record Run(int exit, String out, String err) {
        Map<String, String> figures() {
            String line = out.lines().filter(l -> l.startsWith("BENCH ")).findFirst().orElseThrow(
                    () -> new AssertionError("no BENCH line in:\n" + out + err));
            Map<String, String> m = new HashMap<>();
            for (String kv : line.substring(6).split(" ")) {
                int eq = kv.indexOf('=');
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            return m;
        }
    }

    private static Run bench(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String[] args(String first, String target, String... more) {
        return Stream.concat(Stream.concat(Stream.of(first, "--target", target), Stream.of(SHORT.split(" "))),
                Stream.of(more)).toArray(String[]::new);
    }

    /**
     * The tracker's count once it has caught up with {@code expected}: it records a request just after sending
     * the answer, so the bench may read the last answer a moment before it is counted. Bounded wait on the
     * condition; a count that overshoots or never gets there fails the assertion that follows.
     */
    private long served(String frontend, String action, long expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long count;
        while ((count = served(frontend, action)) < expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        return count;
    }

    private long served(String frontend, String action) {
        return meters.find(RequestMetrics.NAME).tags("frontend", frontend, "action", action, "result", "ok")
                .timers().stream().mapToLong(Timer::count).sum();
    }

    private static long n(Map<String, String> f, String key) {
        return Long.parseLong(f.get(key));
    }

    private static void assertClean(Run run, Map<String, String> f) {
        assertEquals(0, run.exit(), run.err());
        // a loaded machine may answer nothing inside a 600 ms window, but every connection gets its answers
        assertTrue(n(f, "announces") + n(f, "scrapes") > 0, run.out());
        for (String key : List.of("timeouts", "late", "stray", "failures", "malformed", "unreachable")) {
            assertEquals(0, n(f, key), key + " in " + run.out());
        }
        assertTrue(run.out().contains("latency p50 ") && run.out().contains(", p999 "), run.out());
        assertTrue(run.err().contains("bench: measured"), "progress line: " + run.err());
    }

    /**
     * 200 peers in 20 swarms: once every peer has started (the first 200 announces), a reply carries the other
     * 9 of its swarm. Checked when the measured window saw answers at all (a loaded machine may give it none).
     */
    private static void assertPeersInAnswers(Map<String, String> f, Run run) {
        if (n(f, "announces") > 400 && !f.get("p50_us").equals("NaN")) {
            assertTrue(Double.parseDouble(f.get("peers_per_answer")) > 5, run.out());
        }
    }

    @Test
    void udpAnnouncesTheTrackerCountedAreTheOnesTheBenchReports() {
        start("");
        Run run = bench(args("udp", "127.0.0.1:" + tracker.udpPort(), "--sockets=2", "--window=3"));
        Map<String, String> f = run.figures();
        assertClean(run, f);
        assertEquals(n(f, "announces"), served("udp", "announce", n(f, "announces")));
        assertEquals(n(f, "connects"), served("udp", "connect", n(f, "connects")));
        assertEquals(2, n(f, "connects"), "one BEP 15 handshake per socket");
        assertPeersInAnswers(f, run);
    }

    @Test
    void udpScrapesFirstFillTheSwarmsWithOneAnnouncePerPeer() {
        start("");
        Run run = bench(args("udp", "127.0.0.1:" + tracker.udpPort(), "--sockets=2", "--window=2", "--scrape"));
        Map<String, String> f = run.figures();
        assertClean(run, f);
        assertEquals(200, n(f, "announces"));
        assertEquals(200, served("udp", "announce", 200));
        assertEquals(n(f, "scrapes"), served("udp", "scrape", n(f, "scrapes")));
        assertTrue(n(f, "scrapes") > 0, run.out());
    }

    /**
     * Five sockets on two threads (3 + 2, each thread multiplexing its share), closed and open loop: every socket
     * connects once and every announce it reports was served.
     */
    @Test
    void threadsShareTheSocketsAndEverySocketGetsItsAnswers() {
        start("");
        for (String rate : List.of("--rate=0", "--rate=2000")) {
            long before = served("udp", "announce");
            Run run = bench(args("udp", "127.0.0.1:" + tracker.udpPort(), "--sockets=5", "--window=2", "--threads=2",
                    rate));
            Map<String, String> f = run.figures();
            assertClean(run, f);
            assertEquals(5, n(f, "connects"), "one BEP 15 handshake per socket: " + run.out());
            assertEquals(2, n(f, "threads"), run.out());
            assertTrue(run.out().contains("5 sockets x window 2 on 2 threads"), run.out());
            long announces = n(f, "announces");
            assertEquals(before + announces, served("udp", "announce", before + announces));
            // the generator's own lateness is measured in an open loop only (a closed loop has no due times)
            boolean open = rate.equals("--rate=2000");
            assertEquals(!open || f.get("p50_us").equals("NaN"), f.get("send_lag_p99_us").equals("NaN"), run.out());
            assertEquals(open, run.out().contains("after they were due"), run.out());
            // the time from when a request left to its answer: the latency itself in a closed loop, never more in an open
            double p99 = Double.parseDouble(f.get("p99_us"));
            double service = Double.parseDouble(f.get("service_p99_us"));
            assertTrue(open ? service <= p99 : service == p99, run.out());
            assertEquals(open, run.out().contains("after they left"), run.out());
        }
        Run tooMany = bench(args("udp", "127.0.0.1:" + tracker.udpPort(), "--sockets=2", "--threads=3"));
        assertEquals(2, tooMany.exit());
        assertTrue(tooMany.err().contains("--threads must be 1..2"), tooMany.err());
        Run http = bench(args("http", "127.0.0.1:" + tracker.httpPort(), "--threads=1"));
        assertEquals(2, http.exit());
        assertTrue(http.err().contains("--threads is for udp"), http.err());
    }

    /**
     * A tracker that answers one announce per 10 ms, nothing in parallel (connects at once), on a loopback port
     * until {@code slow} is closed; its thread ends then.
     */
    private static Thread slowTracker(DatagramChannel slow) throws IOException {
        slow.bind(new InetSocketAddress("127.0.0.1", 0));
        return Thread.ofPlatform().daemon().start(() -> {
            ByteBuffer in = ByteBuffer.allocate(1500);
            ByteBuffer out = ByteBuffer.allocate(64);
            try {
                while (true) {
                    in.clear();
                    SocketAddress from = slow.receive(in);
                    int action = in.getInt(8);
                    int tx = in.getInt(12);
                    out.clear();
                    if (action == 0) {
                        UdpResponses.encodeConnect(out, tx, 42);
                    } else {
                        // the simulated tracker's service time: one answer per 10 ms, nothing in parallel
                        LockSupport.parkNanos(10_000_000);
                        UdpResponses.encodeAnnounceHeader(out, tx, 1800, 0, 0);
                    }
                    slow.send(out.flip(), from);
                }
            } catch (IOException e) {
                // closed: the test is over
            }
        });
    }

    /**
     * A tracker that answers one announce per 10 ms, driven at 200/s through one slot: the requests queue behind
     * the window, and that wait is the tracker's, so the service time (which leaves out only the generator's own
     * lateness) must grow with it instead of showing the 10 ms of a single exchange.
     */
    @Test
    void waitingForAFreeSlotCountsAgainstTheTrackerNotTheGenerator() throws Exception {
        try (DatagramChannel slow = DatagramChannel.open()) {
            Thread responder = slowTracker(slow);
            int port = ((InetSocketAddress) slow.getLocalAddress()).getPort();
            Run run = bench(args("udp", "127.0.0.1:" + port, "--sockets=1", "--window=1", "--rate=200"));
            Map<String, String> f = run.figures();
            double p99 = Double.parseDouble(f.get("p99_us"));
            double service = Double.parseDouble(f.get("service_p99_us"));
            assertTrue(p99 > 100_000, "requests queued behind the slow tracker: " + run.out());
            assertTrue(service >= 0.9 * p99, "the queueing is the tracker's: " + run.out());
            slow.close();
            responder.join(5_000);
        }
    }

    /**
     * The same slow tracker with a 100 ms timeout: requests leave up to about 0.4 s after they were due, and each
     * is answered 10 ms after it left, so none is lost. A timeout counted from the due time (as before) called
     * every request sent more than 100 ms late lost as it left, dropped its answer as late, and left the run's
     * slowest requests out of the latency figures.
     */
    @Test
    void aRequestSentLateIsNotCountedAsLost() throws Exception {
        try (DatagramChannel slow = DatagramChannel.open()) {
            Thread responder = slowTracker(slow);
            int port = ((InetSocketAddress) slow.getLocalAddress()).getPort();
            Run run = bench("udp", "--target", "127.0.0.1:" + port, "--duration=600ms", "--warmup=200ms",
                    "--swarms=20", "--peers=200", "--timeout=100ms", "--sockets=1", "--window=1", "--rate=200");
            Map<String, String> f = run.figures();
            assertTrue(Double.parseDouble(f.get("send_lag_p99_us")) > 200_000, "the generator fell behind: " + run.out());
            assertEquals(0, n(f, "timeouts"), run.out());
            assertEquals(0, n(f, "late"), run.out());
            assertEquals(0, n(f, "stray"), run.out());
            assertTrue(Double.parseDouble(f.get("p99_us")) > 200_000, "the lateness is in the latency: " + run.out());
            slow.close();
            responder.join(5_000);
        }
    }

    /** --rate 100 over the 800 ms run (warm-up and measured window): never more than 80 announces, all served. */
    @Test
    void aRateCapsWhatIsSentOverUdpAndHttp() {
        start("");
        Run udp = bench(args("udp", "127.0.0.1:" + tracker.udpPort(), "--sockets=2", "--window=3", "--rate=100"));
        Map<String, String> u = udp.figures();
        assertClean(udp, u);
        assertTrue(n(u, "announces") <= 80, "open loop at 100/s sends at most 80 in 0.8 s: " + udp.out());
        assertEquals(n(u, "announces"), served("udp", "announce", n(u, "announces")));
        Run http = bench(args("http", "127.0.0.1:" + tracker.httpPort(), "--sockets=1", "--window=2", "--keep-alive",
                "--rate=100"));
        Map<String, String> h = http.figures();
        assertClean(http, h);
        assertTrue(n(h, "announces") <= 80, http.out());
        assertEquals(n(h, "announces"), served("http", "announce", n(h, "announces")));
    }

    /** Seeders and leechers in the tracker's swarms, both address families. */
    private long peersInSwarms() {
        return Stream.of("swarmgate.seeders", "swarmgate.leechers")
                .flatMap(name -> meters.find(name).gauges().stream())
                .mapToLong(g -> (long) g.value()).sum();
    }

    /**
     * With a peer seed, runs against one tracker announce the same 200 peers, even over another protocol with
     * other workers (UDP with 2 sockets, HTTP with 4 connections), so its swarms keep their size; without one,
     * a run brings 200 new peers (random ports of one address: a pair may meet in a swarm by chance).
     */
    @Test
    void aPeerSeedAnnouncesTheSamePeersInEveryRun() {
        start("");
        String udp = "127.0.0.1:" + tracker.udpPort();
        String http = "127.0.0.1:" + tracker.httpPort();
        Run first = bench(args("udp", udp, "--sockets=2", "--window=2", "--peer-seed=7"));
        assertClean(first, first.figures());
        assertEquals(200, peersInSwarms());
        Run again = bench(args("http", http, "--sockets=2", "--window=2", "--keep-alive", "--peer-seed=7"));
        assertClean(again, again.figures());
        assertEquals(200, peersInSwarms(), "the same peers again");
        Run random = bench(args("udp", udp, "--sockets=2", "--window=2"));
        assertClean(random, random.figures());
        long after = peersInSwarms();
        assertTrue(after >= 390 && after <= 400, "200 new peers, got " + (after - 200));
        Run bad = bench(args("udp", udp, "--peer-seed=-1"));
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--peer-seed must be a whole number"), bad.err());
    }

    @Test
    void httpWithAConnectionPerRequestAndWithKeepAlive() {
        start("");
        String target = "127.0.0.1:" + tracker.httpPort();
        Run close = bench(args("http", target, "--sockets=2", "--window=2"));
        Map<String, String> f = close.figures();
        assertClean(close, f);
        assertEquals("false", f.get("keep_alive"));
        assertEquals(n(f, "announces"), served("http", "announce", n(f, "announces")));

        Run keepAlive = bench(args("http", target, "--sockets=2", "--window=2", "--keep-alive"));
        Map<String, String> k = keepAlive.figures();
        assertClean(keepAlive, k);
        assertEquals(n(f, "announces") + n(k, "announces"), served("http", "announce", n(f, "announces") + n(k, "announces")));
        assertPeersInAnswers(k, keepAlive);
    }

    @Test
    void signedTokensGetThroughTheJwtHook() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
        assertEquals(0, KeysCommand.run(new String[]{"generate", "--alg", "ES256", "--kid", "bench", "--out",
                dir.toString()}, quiet, quiet), sink.toString(StandardCharsets.UTF_8));
        start("prehooks: [{name: jwt, config: {issuer: swarmgate-bench, audience: swarmgate-bench, jwk-set-url: "
                + dir.resolve("jwks.json").toUri() + "}}]\n");
        String key = dir.resolve("bench.private.jwk.json").toString();
        Run udp = bench(args("udp", "127.0.0.1:" + tracker.udpPort(), "--sockets=1", "--window=2", "--jwt-key",
                key));
        Map<String, String> u = udp.figures();
        assertClean(udp, u);
        assertEquals(n(u, "announces"), served("udp", "announce", n(u, "announces")));
        Run http = bench(args("http", "127.0.0.1:" + tracker.httpPort(), "--sockets=1", "--window=2",
                "--keep-alive", "--jwt-key", key));
        Map<String, String> h = http.figures();
        assertClean(http, h);
        assertEquals(n(h, "announces"), served("http", "announce", n(h, "announces")));

        // without tokens, every announce is refused: the bench counts failure reasons, the tracker serves none
        Run refused = bench(args("http", "127.0.0.1:" + tracker.httpPort(), "--sockets=1", "--window=1",
                "--keep-alive"));
        Map<String, String> r = refused.figures();
        assertEquals(0, n(r, "announces"));
        assertTrue(n(r, "failures") > 0, refused.out());
        assertTrue(refused.out().contains("missing jwt"), refused.out());
    }

    @Test
    void aTargetThatIsNotThisMachineIsRefused() {
        Run run = bench("udp", "--target", "192.0.2.1:6969", "--duration", "1s");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("refusing to load 192.0.2.1") && run.err().contains("--allow-remote"),
                run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    @Test
    void theInfoHashesItPrintsAreTheOnesItAnnounces() throws Exception {
        Run printed = bench("--print-infohashes", "--swarms", "3");
        assertEquals(0, printed.exit(), printed.err());
        List<String> hashes = printed.out().lines().toList();
        assertEquals(3, hashes.size());
        assertEquals(Bench.infoHashHex(2), hashes.get(2));
        Path file = dir.resolve("whitelist.txt");
        assertEquals(0, bench("--write-infohashes", file.toString(), "--swarms", "3").exit());
        assertEquals(hashes, Files.readAllLines(file));
        // that they are the hashes announced is shown by signedTokensGetThroughTheJwtHook: its tokens are signed
        // for Bench.infoHashHex(s) and the tracker only admits a token for the announce's own info_hash
    }
}
