package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.config.ConfigException;
import io.swarmgate.testing.InspectedScheduler;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static io.swarmgate.hook.jwt.JwtFixture.EC;
import static io.swarmgate.hook.jwt.JwtFixture.ED;
import static io.swarmgate.hook.jwt.JwtFixture.RSA;
import static io.swarmgate.hook.jwt.JwtFixture.RSA_2;
import static io.swarmgate.hook.jwt.JwtFixture.admit;
import static io.swarmgate.hook.jwt.JwtFixture.refused;
import static io.swarmgate.testing.Wire.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key rotation and a registry that is down, slow or confused, as the tracker's operator would see them. */
class JwkSetRefreshTest {
    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final JwksDispatcher jwks = new JwksDispatcher(JwtFixture.jwks(RSA));
    private final JwtFixture f = new JwtFixture();
    private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();
    private final Logger holderLog = Logger.getLogger(KeySetHolder.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void serve() {
        server.setDispatcher(jwks);
        holderLog.addHandler(capture);
    }

    @AfterEach
    void stop() {
        holderLog.removeHandler(capture);
        f.close();
    }

    private String url() {
        return server.url("/jwks.json").toString();
    }

    private JwtHook hook(String... extra) {
        return f.start(url(), extra);
    }

    private long warnings() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).count();
    }

    @Test
    void newKidIsFetchedWhenATokenNamesIt() throws ClientError {
        JwtHook hook = hook();
        assertEquals(1, server.getRequestCount());
        jwks.body = JwtFixture.jwks(RSA, EC); // the registry publishes a new key and signs with it at once
        admit(hook, f.token(EC));
        assertEquals(2, server.getRequestCount());
        assertEquals(2, f.gauge("swarmgate.jwt.jwks.keys"));
        admit(hook, f.token(EC, c -> c.jwtID("another")));
        assertEquals(2, server.getRequestCount(), "a known kid needs no fetch");
    }

    @Test
    void periodicRefreshOnTheSchedulerPicksUpANewKey() throws Exception {
        // the scheduler is inspected and its task run by the test: one refresh due every interval, none after close
        JwtHook hook = hook("jwk-set-refresh-interval: 10m");
        assertEquals(600, InspectedScheduler.dueInSeconds(f.scheduler.only()), "first refresh due in 10 min");
        jwks.body = JwtFixture.jwks(RSA, ED);
        double okAtStart = f.count("swarmgate.jwt.jwks.refreshes", "ok");
        f.scheduler.runOnlyTask();
        assertEquals(2, server.getRequestCount(), "the scheduled refresh fetched");
        assertEquals(2, f.gauge("swarmgate.jwt.jwks.keys"));
        assertEquals(1, f.count("swarmgate.jwt.jwks.refreshes", "ok") - okAtStart);
        admit(hook, f.token(ED));
        assertEquals(2, server.getRequestCount(), "the scheduled refresh had already fetched the key");
        assertEquals(600, InspectedScheduler.dueInSeconds(f.scheduler.only()), "the next refresh 10 min later");

        jwks.mode = JwksDispatcher.Mode.DOWN;
        f.scheduler.runOnlyTask();
        assertEquals(1, f.scheduler.queued().size(), "a failed refresh keeps the schedule");
        admit(hook, f.token(ED, c -> c.jwtID("after a failed refresh")));

        hook.close();
        assertEquals(List.of(), f.scheduler.queued(), "a closed hook schedules no more fetches");
    }

    /**
     * Two ways a key can change under a cached token, each of which must end that token at the next refresh: the
     * rotation withdrew the key (rsa-1 gone, rsa-2 stays), or the registry re-keyed rsa-1 (it should not, but
     * then tokens of the old key must stop working). The new key's tokens are admitted.
     */
    static Stream<Arguments> keyChanges() {
        RSAKey rekeyed = JwtFixture.rsa("rsa-1");
        return Stream.of(
                Arguments.of("withdrawn", List.of(RSA, RSA_2), RSA_2, "unknown signing key"),
                Arguments.of("re-keyed under the same kid", List.of(RSA), rekeyed, "jwt signature invalid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyChanges")
    void aChangedKeyTakesItsCachedTokensWithIt(String change, List<RSAKey> before, RSAKey after, String reason)
            throws ClientError {
        jwks.body = JwtFixture.jwks(before.toArray(JWK[]::new));
        JwtHook hook = hook();
        String old = f.token(RSA);
        admit(hook, old);
        admit(hook, old);
        assertEquals(1, f.count("swarmgate.jwt.cache.hits", null));

        jwks.body = JwtFixture.jwks(after);
        assertTrue(hook.keys().refresh());
        refused(reason, hook, old);
        assertEquals(1, f.count("swarmgate.jwt.cache.hits", null), "the cached token was not used");
        admit(hook, f.token(after));
    }

    @Test
    void unchangedKeysKeepTheirCachedTokensAcrossRefreshes() throws ClientError {
        JwtHook hook = hook();
        String token = f.token(RSA);
        admit(hook, token);
        assertTrue(hook.keys().refresh());
        assertTrue(hook.keys().refresh());
        admit(hook, token);
        assertEquals(1, f.count("swarmgate.jwt.cache.hits", null));
    }

    @Test
    void floodOfMadeUpKidsCausesABoundedNumberOfFetches() throws Exception {
        JwtHook hook = hook();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tokens.add(JwtFixture.sign(ED, JWSAlgorithm.EdDSA, "made-up-" + i, f.claims().build()));
        }
        AtomicInteger refusedUnknown = new AtomicInteger();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (String t : tokens) {
                pool.submit(() -> {
                    try {
                        admit(hook, t);
                    } catch (ClientError e) {
                        if (e.reason().equals("unknown signing key")) {
                            refusedUnknown.incrementAndGet();
                        }
                    }
                });
            }
        }
        assertEquals(1000, refusedUnknown.get());
        assertTrue(server.getRequestCount() <= 2, "1 start-up fetch + at most 1 for unknown kids, got "
                + server.getRequestCount());
        assertEquals(1000, f.count("swarmgate.jwt.verifications", "unknown_kid"));

        // the next unknown kid after the spacing may fetch again, once
        f.clock.advance(JwtConfig.UNKNOWN_KID_REFETCH_SPACING.plusSeconds(1));
        int before = server.getRequestCount();
        for (int i = 0; i < 100; i++) {
            refused("unknown signing key", hook, tokens.get(i));
        }
        assertEquals(before + 1, server.getRequestCount());
        admit(hook, f.token(RSA)); // known keys were never disturbed
    }

    @Test
    void registryDownKeepsKnownKeysAndCountsAndLogsOnce() throws ClientError {
        JwtHook hook = hook();
        jwks.mode = JwksDispatcher.Mode.DOWN;
        assertFalse(hook.keys().refresh());
        assertFalse(hook.keys().refresh());
        assertFalse(hook.keys().refresh());
        admit(hook, f.token(RSA));
        assertEquals(3, f.count("swarmgate.jwt.jwks.refreshes", "error"));
        assertEquals(1, warnings(), "one warning per failure streak");
        assertEquals("", hook.notReadyReason());

        jwks.mode = JwksDispatcher.Mode.OK;
        assertTrue(hook.keys().refresh());
        jwks.mode = JwksDispatcher.Mode.DOWN;
        assertFalse(hook.keys().refresh());
        assertEquals(2, warnings(), "a new streak is logged again");
    }

    @Test
    void flappingRegistryKeepsTheLastGoodSetAndPicksUpNewKeysWhenBack() throws ClientError {
        JwtHook hook = hook();
        String rsaToken = f.token(RSA);
        admit(hook, rsaToken);
        for (int flap = 0; flap < 3; flap++) {
            jwks.mode = JwksDispatcher.Mode.DOWN;
            assertFalse(hook.keys().refresh());
            admit(hook, rsaToken); // from the cache
            admit(hook, f.token(RSA, c -> c.jwtID("verified while down"))); // verified with the last good set
            assertEquals("", hook.notReadyReason());
            jwks.mode = JwksDispatcher.Mode.OK;
            assertTrue(hook.keys().refresh());
        }
        jwks.mode = JwksDispatcher.Mode.GARBAGE;
        assertFalse(hook.keys().refresh());
        jwks.body = JwtFixture.jwks(RSA, ED); // back, with a key published while it was away
        jwks.mode = JwksDispatcher.Mode.OK;
        assertTrue(hook.keys().refresh());
        admit(hook, f.token(ED));
        admit(hook, rsaToken);
        assertEquals(4, f.count("swarmgate.jwt.jwks.refreshes", "error"));
        assertEquals(0, f.gauge("swarmgate.jwt.jwks.last.success.age.seconds"));
        // one warning when each outage starts and one line when it ends; never a stack trace
        assertEquals(4, warnings());
        assertEquals(4, records.stream().filter(r -> r.getMessage().contains("fetched again")).count());
        assertTrue(records.stream().allMatch(r -> r.getThrown() == null), "no stack traces");
    }

    @Test
    void hugeBodyIsCutOffAtTheSizeCapAndKnownKeysKeepWorking() throws ClientError {
        JwtHook hook = hook();
        jwks.mode = JwksDispatcher.Mode.HUGE; // 2 MiB, twice the cap
        assertFalse(hook.keys().refresh());
        admit(hook, f.token(RSA, c -> c.jwtID("after a huge body")));
        assertTrue(records.stream().anyMatch(r -> r.getMessage().contains("JWK set larger than "
                + JwkSetSource.MAX_BYTES + " bytes")), "the warning says why");
        assertTrue(records.stream().allMatch(r -> r.getThrown() == null), "no stack traces");
    }

    @Test
    void unreachableRegistryKeepsKnownKeys() throws ClientError {
        JwtHook hook = hook("jwk-set-timeout: 2s");
        server.close(); // connection refused from now on
        assertFalse(hook.keys().refresh());
        admit(hook, f.token(RSA));
        refused("unknown signing key", hook, f.token(EC));
        assertTrue(f.count("swarmgate.jwt.jwks.refreshes", "error") >= 1);
        assertEquals(1, warnings());
    }

    @Test
    void slowRegistryTimesOutAndKnownKeysKeepWorking() throws ClientError {
        JwtHook hook = hook("jwk-set-timeout: 300ms");
        jwks.body = JwtFixture.jwks(RSA, EC);
        jwks.mode = JwksDispatcher.Mode.SLOW_HEADERS;
        long t0 = System.nanoTime();
        assertFalse(hook.keys().refresh());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "bounded by jwk-set-timeout");
        admit(hook, f.token(RSA));
        assertEquals(1, f.count("swarmgate.jwt.jwks.refreshes", "error"));
        assertEquals(1, f.gauge("swarmgate.jwt.jwks.keys"));
    }

    @Test
    void slowRegistryHoldsAnAnnounceWithANewKidAtMostTwoSeconds() throws Exception {
        JwtHook hook = hook("jwk-set-timeout: 10s");
        jwks.body = JwtFixture.jwks(RSA, EC);
        jwks.mode = JwksDispatcher.Mode.SLOW_HEADERS; // answers after 3 s
        long t0 = System.nanoTime();
        refused("unknown signing key", hook, f.token(EC));
        long waited = System.nanoTime() - t0;
        // at least the bounded wait, and well before the registry's answer at 3 s: it did not wait for the fetch
        assertTrue(waited >= KeySetHolder.UNKNOWN_KID_WAIT.toNanos() - 50_000_000L, "waited " + waited / 1_000_000
                + " ms");
        assertTrue(waited < Duration.ofMillis(2_950).toNanos(), "waited " + waited / 1_000_000 + " ms");
        // the fetch it started carries on and brings the key in for the next announce
        eventually("the fetch it started brings the new key in", () -> f.gauge("swarmgate.jwt.jwks.keys") == 2);
        admit(hook, f.token(EC));
        assertEquals(2, server.getRequestCount());
    }

    @Test
    void tricklingRegistryIsCutOffByTheWholeResponseLimit() throws ClientError {
        // headers arrive at once, the body at 160 bytes/s: a per-read timeout would never fire
        JwtHook hook = hook("jwk-set-timeout: 500ms");
        jwks.mode = JwksDispatcher.Mode.TRICKLE;
        long t0 = System.nanoTime();
        assertFalse(hook.keys().refresh());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(3).toNanos());
        admit(hook, f.token(RSA));
    }

    @Test
    void garbageNeverReplacesAGoodSet() throws ClientError {
        JwtHook hook = hook();
        for (JwksDispatcher.Mode bad : List.of(JwksDispatcher.Mode.GARBAGE, JwksDispatcher.Mode.EMPTY_SET,
                JwksDispatcher.Mode.HUGE)) {
            jwks.mode = bad;
            assertFalse(hook.keys().refresh(), bad.name());
            admit(hook, f.token(RSA, c -> c.jwtID(bad.name())));
            assertEquals(1, f.gauge("swarmgate.jwt.jwks.keys"));
        }
        assertEquals(3, f.count("swarmgate.jwt.jwks.refreshes", "error"));
        assertEquals(1, warnings());
    }

    @Test
    void keysTooStaleAreNoLongerTrusted() throws ClientError {
        JwtHook hook = hook("jwk-set-refresh-interval: 5m", "jwk-set-max-stale: 1h");
        String cached = f.token(RSA, c -> c.expirationTime(null));
        admit(hook, cached);
        jwks.mode = JwksDispatcher.Mode.DOWN;
        f.clock.advance(Duration.ofMinutes(59));
        assertFalse(hook.keys().refresh());
        admit(hook, cached);
        assertEquals(59 * 60, f.gauge("swarmgate.jwt.jwks.last.success.age.seconds"));

        f.clock.advance(Duration.ofMinutes(2));
        assertFalse(hook.keys().refresh());
        refused("jwt signing keys unavailable", hook, cached);
        refused("jwt signing keys unavailable", hook, f.token(RSA));
        assertTrue(hook.notReadyReason().contains("stale"), hook.notReadyReason());

        jwks.mode = JwksDispatcher.Mode.OK;
        assertTrue(hook.keys().refresh());
        assertEquals("", hook.notReadyReason());
        assertEquals(0, f.gauge("swarmgate.jwt.jwks.last.success.age.seconds"));
        admit(hook, cached);
    }

    @Test
    void startUpFailsClearlyWhenTheFirstFetchFails() {
        jwks.mode = JwksDispatcher.Mode.DOWN;
        ConfigException e = assertThrows(ConfigException.class, () -> hook());
        assertEquals("prehooks.0.config.jwk-set-url", e.key());
        assertTrue(e.getMessage().contains("HTTP status 503") && e.getMessage().contains(url()), e.getMessage());

        jwks.mode = JwksDispatcher.Mode.GARBAGE;
        e = assertThrows(ConfigException.class, () -> hook());
        assertTrue(e.getMessage().contains("not a usable JWK set"), e.getMessage());
    }

    @Test
    void fileUrlIsReadAgainOnEveryRefresh(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwks.json");
        ConfigException e = assertThrows(ConfigException.class, () -> f.start(file.toUri().toString()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());

        Files.writeString(file, JwtFixture.jwks(RSA));
        JwtHook hook = f.start(file.toUri().toString());
        admit(hook, f.token(RSA));
        refused("unknown signing key", hook, f.token(ED));

        Files.writeString(file, JwtFixture.jwks(RSA, ED));
        assertTrue(hook.keys().refresh());
        admit(hook, f.token(ED));

        Files.delete(file);
        assertFalse(hook.keys().refresh());
        admit(hook, f.token(ED, c -> c.jwtID("still works")));
    }
}
