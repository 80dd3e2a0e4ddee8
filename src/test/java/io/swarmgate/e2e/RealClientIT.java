package io.swarmgate.e2e;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.testing.JwtYaml;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real BitTorrent clients: Debian's python3-libtorrent runs a seeder and a leecher on loopback
 * (src/test/python/swarm_e2e.py) with DHT, local discovery, UPnP, NAT-PMP and PEX off and a private torrent,
 * so the tracker is the only way they find each other. The download must complete byte for byte, and the
 * tracker's scrape must show what happened: two seeders and one download while both are in the swarm, nobody
 * once they have sent "stopped".
 *
 * <p>Skipped when /usr/bin/python3 cannot import libtorrent, except under {@code CI=true}, where that fails:
 * .ci/run installs python3-libtorrent, so a missing module there is a broken build, not a reason to skip.
 */
class RealClientIT {
    /**
     * One way for the clients to reach the tracker. {@code yaml} is the tracker's configuration, given a fresh
     * directory for any files it needs (keys); {@code announceUrl} is the URL both clients announce to, given
     * the started tracker and the torrent's v1 info hash (40 hex digits), so that a case can put a token for that
     * torrent into the query. Every case keeps HTTP on: the test scrapes over HTTP, carrying the announce URL's
     * query (a token) as clients do.
     */
    record Case(String name, Function<Path, String> yaml, BiFunction<Swarmgate, String, String> announceUrl) {
        Case(String name, String yaml, BiFunction<Swarmgate, String, String> announceUrl) {
            this(name, dir -> yaml, announceUrl);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final String HTTP_ONLY = """
            http: {port: 0}
            udp: {enabled: false}
            metrics: {enabled: false}
            """;

    private static final String WITH_UDP = """
            http: {port: 0}
            udp: {port: 0, host: 127.0.0.1}
            metrics: {enabled: false}
            """;

    /** The shipped example keys (keys-example/): the jwt hook admits only tokens they signed. */
    private static final String JWT_HOOK = JwtYaml.EXAMPLE_PREHOOK;

    static Stream<Case> cases() {
        return Stream.of(
                new Case("http", HTTP_ONLY,
                        (tracker, infoHash) -> "http://127.0.0.1:" + tracker.httpPort() + "/announce"),
                new Case("udp", WITH_UDP,
                        (tracker, infoHash) -> "udp://127.0.0.1:" + tracker.udpPort() + "/announce"),
                // the container-registry shape: a Quay-style token (RS256, kid, no exp) in the announce URL
                new Case("http+jwt", HTTP_ONLY + JWT_HOOK, (tracker, infoHash) -> "http://127.0.0.1:"
                        + tracker.httpPort() + "/announce?jwt=" + mint(infoHash)),
                // over UDP the token travels as BEP 41 URL data. libtorrent 2.0 sends only the first 255 bytes
                // of path and query, so the token must be compact: EdDSA, one-letter kid, issuer and audience
                new Case("udp+jwt", dir -> WITH_UDP + compactJwtHook(dir), (tracker, infoHash) -> {
                    String url = "udp://127.0.0.1:" + tracker.udpPort() + "/?jwt="
                            + mint(COMPACT_KEYS[0].resolve("k.private.jwk.json").toString(), "r", "s", infoHash);
                    String urlData = url.substring(url.indexOf('/', "udp://".length()));
                    assertTrue(urlData.length() <= 255, "libtorrent would cut this URL data short: " + urlData);
                    return url;
                }));
    }

    /** Keys for the compact-token case, made with the operator CLI when that case's tracker is configured. */
    private static final Path[] COMPACT_KEYS = new Path[1];

    private static String compactJwtHook(Path dir) {
        COMPACT_KEYS[0] = dir;
        cli(true, "generate", "--alg", "EdDSA", "--kid", "k", "--out", dir.toString());
        return JwtYaml.prehookWith("issuer: r", "audience: s", "jwk-set-url: \"" + dir.resolve("jwks.json").toUri() + "\"");
    }

    /** A token for one torrent, minted with the operator CLI and the example RS256 key (Quay's shape). */
    private static String mint(String infoHashHex) {
        return mint("keys-example/example-rs256.private.jwk.json", "https://registry.example.com", "swarmgate",
                infoHashHex);
    }

    private static String mint(String key, String issuer, String audience, String infoHashHex) {
        return cli(false, "--key", key, "--issuer", issuer, "--audience", audience, "--infohash", infoHashHex,
                "--no-exp");
    }

    private static String cli(boolean keys, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream o = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        java.io.PrintStream e = new java.io.PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = keys ? io.swarmgate.cli.KeysCommand.run(args, o, e) : io.swarmgate.cli.TokenCommand.run(args, o, e);
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @BeforeAll
    static void needsLibtorrent() throws Exception {
        Swarm.requireLibtorrent();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void seederAndLeecherShareAFileThroughTheTrackerOnly(Case c, @TempDir Path dir) throws Exception {
        Path files = Files.createDirectory(dir.resolve("tracker"));
        try (Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml(c.yaml().apply(files)),
                new SimpleMeterRegistry(), InstantSource.system());
             Swarm swarm = Swarm.start(dir)) {
            String infoHash = swarm.expect("info_hash ", 60);
            String announce = c.announceUrl().apply(tracker, infoHash);
            swarm.send(announce);

            swarm.expect("complete", Swarm.EXCHANGE_SECONDS + 30);
            Scrape scrape = new Scrape(tracker.httpPort(), announce, infoHash);
            scrape.check(new Counts(2, 0, 1), "both clients seeding, one download counted", swarm);

            swarm.send(""); // let go: both clients pause, which sends "stopped"
            swarm.expect("stopped", 60);
            int status = swarm.exit(60);
            assertEquals(0, status, () -> "swarm_e2e.py exited with " + status + "\n" + swarm.log());
            // downloaded is not checked here: the peer expiry may drop the now empty swarm, counter and all
            scrape.check(new Counts(0, 0, Counts.ANY), "both clients gone after 'stopped'", swarm);
        }
    }

    /**
     * Two tracker instances on one Redis, as behind a load balancer: the seeder announces to one, the leecher to
     * the other, so the leecher can only find the seeder through the shared store.
     */
    @ParameterizedTest(name = "redis, two instances, {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"http", "udp"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void eachClientOnItsOwnInstanceOnRedis(String frontend, @TempDir Path dir) throws Exception {
        try (io.swarmgate.testing.RedisServers redis = io.swarmgate.testing.RedisServers.single()) {
            // the shared secret makes a connection id from one instance valid on the other
            String yaml = """
                    http: {port: 0}
                    udp: {port: 0, host: 127.0.0.1, connection-id-secret: both-instances-share-this}
                    metrics: {enabled: false}
                    storage:
                      type: redis
                      redis: {uri: "%s"}
                    """.formatted(redis.uri());
            try (Swarmgate a = Swarmgate.start(SwarmgateConfig.fromYaml(yaml), new SimpleMeterRegistry(),
                    InstantSource.system());
                 Swarmgate b = Swarmgate.start(SwarmgateConfig.fromYaml(yaml), new SimpleMeterRegistry(),
                         InstantSource.system());
                 Swarm swarm = Swarm.start(dir)) {
                String infoHash = swarm.expect("info_hash ", 60);
                Function<Swarmgate, String> url = t -> frontend.equals("http")
                        ? "http://127.0.0.1:" + t.httpPort() + "/announce"
                        : "udp://127.0.0.1:" + t.udpPort() + "/announce";
                swarm.send(url.apply(a) + " " + url.apply(b));
                swarm.expect("complete", Swarm.EXCHANGE_SECONDS + 30);
                for (Swarmgate t : List.of(a, b)) {
                    new Scrape(t.httpPort(), url.apply(t), infoHash)
                            .check(new Counts(2, 0, 1), "both seeding, seen from either instance", swarm);
                }
                swarm.send("");
                swarm.expect("stopped", 60);
                int status = swarm.exit(60);
                assertEquals(0, status, () -> "swarm_e2e.py exited with " + status + "\n" + swarm.log());
                new Scrape(b.httpPort(), url.apply(b), infoHash)
                        .check(new Counts(0, 0, Counts.ANY), "both clients gone after 'stopped'", swarm);
            }
        }
    }

    record Counts(long complete, long incomplete, long downloaded) {
        static final long ANY = -1;

        boolean matches(Counts actual) {
            return complete == actual.complete && incomplete == actual.incomplete
                    && (downloaded == ANY || downloaded == actual.downloaded);
        }
    }

    /** An HTTP scrape of the case's torrent, carrying the announce URL's query (a token) like clients do. */
    private record Scrape(int httpPort, String announceUrl, String infoHashHex) {
        /**
         * The scrape must already show {@code expected}: the script reports only what the tracker has answered,
         * and an answered announce is in the swarm.
         */
        void check(Counts expected, String what, Swarm swarm) {
            Counts seen = counts();
            assertTrue(expected.matches(seen), () -> what + ": expected " + expected + " (-1: any), scrape says "
                    + seen + "\n" + swarm.log());
        }

        Counts counts() {
            byte[] hash = HexFormat.of().parseHex(infoHashHex);
            String query = URI.create(announceUrl).getRawQuery();
            String path = "/scrape?" + (query == null ? "" : query + "&") + "info_hash=" + pct(hash);
            try {
                RawHttp.Response r = RawHttp.get(null, "127.0.0.1", httpPort, path);
                assertEquals(200, r.status(), r::text);
                Map<String, Object> d = Bencode.decodeDict(r.body());
                Map<?, ?> files = (Map<?, ?>) d.get("files");
                assertTrue(files != null, () -> "scrape answered " + r.text());
                Map<?, ?> f = (Map<?, ?>) files.get(new String(hash, StandardCharsets.ISO_8859_1));
                return new Counts((Long) f.get("complete"), (Long) f.get("incomplete"), (Long) f.get("downloaded"));
            } catch (IOException e) {
                throw new AssertionError("scrape failed", e);
            }
        }
    }

}
