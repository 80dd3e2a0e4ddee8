package io.swarmgate.frontend.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.testing.CapturedLog;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow clients: connections trickling their headers are closed {@code http.request-timeout} after their request
 * line, silent ones after {@code http.idle-timeout}, and while they hang on, a normal announce is not held up.
 */
class SlowClientsIT {
    private static final int TRICKLERS = 1000;
    private static final long REQUEST_TIMEOUT_MS = 2000;
    private static final long IDLE_TIMEOUT_MS = 3000;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private CapturedLog log;
    private Swarmgate tracker;
    private int port;

    @BeforeEach
    void start() {
        log = CapturedLog.start();
        tracker = Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {port: 0, request-timeout: %dms, idle-timeout: %dms}
                udp: {enabled: false}
                metrics: {enabled: false}
                """.formatted(REQUEST_TIMEOUT_MS, IDLE_TIMEOUT_MS)), meters, InstantSource.system());
        port = tracker.httpPort();
    }

    @AfterEach
    void stop() {
        tracker.close();
        log.close();
    }

    private String announce(String peer) {
        return "/announce?info_hash=" + pct(id20("slow")) + "&peer_id=" + pct(id20(peer))
                + "&port=6881&uploaded=0&downloaded=0&left=10";
    }

    private long announceMillis(String peer) throws IOException {
        long t0 = System.nanoTime();
        RawHttp.Response r = RawHttp.get(null, "127.0.0.1", port, announce(peer));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, r.status());
        return ms;
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private SocketChannel open() throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.configureBlocking(false);
        return ch;
    }

    /** Waits (bounded) until the tracker has closed every channel; returns when each closed, in ms from start. */
    private static long[] awaitClosed(List<SocketChannel> channels, long startNanos, long limitMs) throws IOException {
        long[] closedAt = new long[channels.size()];
        Arrays.fill(closedAt, -1);
        int open = channels.size();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < channels.size(); i++) {
                channels.get(i).register(selector, SelectionKey.OP_READ, i);
            }
            ByteBuffer buf = ByteBuffer.allocate(4096);
            long deadline = startNanos + limitMs * 1_000_000;
            while (open > 0 && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    int i = (int) key.attachment();
                    buf.clear();
                    int n;
                    try {
                        n = ((SocketChannel) key.channel()).read(buf);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n < 0 && closedAt[i] < 0) {
                        closedAt[i] = (System.nanoTime() - startNanos) / 1_000_000;
                        key.cancel();
                        open--;
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        return closedAt;
    }

    @Test
    void thousandTricklersAreClosedAfterTheRequestTimeoutAndDoNotDelayAnnounces() throws Exception {
        long[] baseline = new long[7];
        for (int i = 0; i < baseline.length; i++) {
            baseline[i] = announceMillis("base" + i);
        }
        byte[] requestLine = ("GET " + announce("trickle") + " HTTP/1.1\r\nHost: tracker\r\nX-Slow: ")
                .getBytes(StandardCharsets.ISO_8859_1);
        List<SocketChannel> tricklers = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < TRICKLERS; i++) {
                SocketChannel ch = open();
                ch.write(ByteBuffer.wrap(requestLine));
                tricklers.add(ch);
            }
            // one more header byte per second on every connection the tracker has not closed yet
            trickle.scheduleAtFixedRate(() -> {
                for (SocketChannel ch : tricklers) {
                    try {
                        ch.write(ByteBuffer.wrap(new byte[] {'a'}));
                    } catch (IOException closed) {
                        // closed by the tracker: that is the point
                    }
                }
            }, 1, 1, TimeUnit.SECONDS);

            long[] loaded = new long[7];
            for (int i = 0; i < loaded.length; i++) {
                loaded[i] = announceMillis("loaded" + i);
            }
            assertTrue(median(loaded) <= median(baseline) + 100, "announce took " + Arrays.toString(loaded)
                    + " ms with " + TRICKLERS + " slow connections open, " + Arrays.toString(baseline) + " without");

            long[] closedAt = awaitClosed(tricklers, start, REQUEST_TIMEOUT_MS + 10_000);
            long stillOpen = Arrays.stream(closedAt).filter(t -> t < 0).count();
            assertEquals(0, stillOpen, "connections still open after the request timeout");
            long earliest = Arrays.stream(closedAt).min().orElseThrow();
            assertTrue(earliest >= REQUEST_TIMEOUT_MS - 100, "closed before the timeout: " + earliest + " ms");
        } finally {
            trickle.shutdownNow();
            for (SocketChannel ch : tricklers) {
                ch.close();
            }
        }
        Counter timeouts = meters.find(ConnectionGuard.METRIC).tag("result", "timeout").counter();
        assertTrue(timeouts != null && timeouts.count() >= TRICKLERS, "timeouts counted");
        assertEquals(List.of(), log.warningsAndStackTraces());
        assertTrue(announceMillis("after") >= 0);
    }

    @Test
    void silentAndIdleKeepAliveConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        long start = System.nanoTime();
        SocketChannel silent = open();
        SocketChannel keepAlive = open();
        keepAlive.write(ByteBuffer.wrap(("GET " + announce("ka") + " HTTP/1.1\r\nHost: tracker\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1)));
        try {
            // the kept-alive one gets its answer, then both wait for a request line; Helidon's idle clock ticks
            // in whole seconds, so "idle-timeout" is met within a second either way
            long[] closedAt = awaitClosed(List.of(silent, keepAlive), start, IDLE_TIMEOUT_MS + 10_000);
            assertTrue(closedAt[0] >= IDLE_TIMEOUT_MS - 1000 && closedAt[1] >= IDLE_TIMEOUT_MS - 1000,
                    Arrays.toString(closedAt));
        } finally {
            silent.close();
            keepAlive.close();
        }
        assertEquals(List.of(), log.warningsAndStackTraces());
    }
}
