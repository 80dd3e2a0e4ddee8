package io.swarmgate.frontend.udp;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.config.UdpConfig;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.protocol.udp.UdpCodecException;
import io.swarmgate.protocol.udp.UdpConnectRequest;
import io.swarmgate.protocol.udp.UdpConnectResponse;
import io.swarmgate.protocol.udp.UdpErrorResponse;
import io.swarmgate.protocol.udp.UdpRequest;
import io.swarmgate.protocol.udp.UdpRequests;
import io.swarmgate.protocol.udp.UdpResponse;
import io.swarmgate.protocol.udp.UdpResponses;
import io.swarmgate.protocol.udp.UdpScrapeRequest;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.storage.memory.MemoryPeerStore;
import io.swarmgate.testing.CapturedLog;
import io.swarmgate.testing.UdpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile UDP traffic against a running frontend over loopback (issue 12): every length 0..2048 of random bytes
 * and of truncated valid packets (connect, announce with BEP 41 URL data, scrape), from a client holding a valid
 * connection id and from addresses that hold none (spoofed, forged or expired ids). Each packet is followed by a
 * connect from the same socket; one worker answers in order, so whatever arrives before that connect's answer
 * is the packet's answer. Checks what an operator and a spoofing victim would notice: no warning or stack trace
 * in the log, every answer well-formed and within the documented bounds, the counters moved, and a valid
 * announce still answered afterwards.
 */
class UdpHostileIT {
    private static final int MAX_LENGTH = 2048;
    private static final InfoHash TORRENT = InfoHash.fromHex("dddddddddddddddddddddddddddddddddddddddd");
    /** The smallest packet that may get the 40-byte connection id error without a valid id (a one-hash scrape). */
    private static final int MIN_ANSWERED_UNPROVEN = 36;
    private static final int ID_ERROR_LENGTH = 8 + UdpWorker.INVALID_CONNECTION_ID.length();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T06:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private CapturedLog log;
    private UdpFrontend frontend;
    private int probes;

    @BeforeEach
    void start() throws IOException {
        log = CapturedLog.start();
        toClose.add(log);
        MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(45), clock, () -> new SplittableRandom(3));
        toClose.add(store);
        TrackerLogic logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(), List.of());
        // one worker on a dual-stack socket: packets of one client are answered in the order they were sent
        frontend = new UdpFrontend(new UdpConfig(true, "::", 0, 1, "hostile-udp-test-secret-0123456789",
                Duration.ofSeconds(10), false), logic, new RequestMetrics(meters), clock);
        toClose.add(frontend);
        frontend.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** A client with a valid id: every packet of at least 16 bytes naming a request gets one answer. */
    @Test
    void everyLengthFromAClientWithAValidConnectionId() throws Exception {
        UdpClient client = client("::1", 1);
        long id = client.connect();
        SplittableRandom random = new SplittableRandom(12);
        byte[] announce = bep41Announce(id, client.peerId);
        byte[] scrape = scrape(id, 102);
        List<IntFunction<byte[]>> kinds = List.of(
                n -> randomBytes(random, n),
                n -> withHeader(randomBytes(random, n), id, n % 3),
                n -> Arrays.copyOf(connect(), Math.min(n, 16)),
                n -> Arrays.copyOf(announce, n),
                n -> Arrays.copyOf(scrape, n));
        int sent = 0;
        int answered = 0;
        for (int kind = 0; kind < kinds.size(); kind++) {
            for (int n = 0; n <= MAX_LENGTH; n++) {
                byte[] packet = kinds.get(kind).apply(n);
                if (kind == 2 && n > 16) {
                    break; // a connect is 16 bytes
                }
                int tid = stamp(packet, kind, n);
                List<byte[]> answers = sendAndCollect(client, packet);
                sent++;
                assertTrue(answers.size() <= 1, () -> "more than one answer to " + packet.length + " bytes");
                for (byte[] a : answers) {
                    answered++;
                    assertTrue(a.length <= UdpFrontend.MAX_RESPONSE_BYTES, "answer of " + a.length + " bytes");
                    UdpResponse r = decode(a);
                    assertEquals(tid, r.transactionId(), "the answer names the packet's transaction id");
                }
                boolean namesARequest = packet.length >= 16 && (kind >= 1 || isRequestAction(packet));
                boolean isConnectWithoutMagic = namesARequest && ByteBuffer.wrap(packet).getInt(8) == 0
                        && ByteBuffer.wrap(packet).getLong(0) != UdpRequests.PROTOCOL_ID;
                if (namesARequest && !isConnectWithoutMagic) {
                    assertEquals(1, answers.size(), "kind " + kind + ", " + n + " bytes: one answer");
                }
            }
        }
        // lengths 16..2048 of the id-carrying kinds (random body, announce, scrape) and the one whole connect
        assertEquals(3 * (MAX_LENGTH - 15) + 1, answered, "answered of " + sent);
        long counted = count("announce", "ipv6") + count("scrape", "ipv6") + count("connect", "ipv6") - probes - 1;
        assertTrue(counted >= answered, "every answer counted: " + counted + " < " + answered);
        assertNothingLoggedAndStillServing(client);
    }

    /**
     * Senders without a valid id for their address (a random id, another address's id, an expired one): what
     * a spoofer could reflect onto a victim is nothing for packets under 36 bytes and the 40-byte connection id
     * error otherwise, whatever the packet; each is counted as a bad request of its action.
     */
    @Test
    void sendersWithoutAValidIdGetAtMostTheConnectionIdError() throws Exception {
        UdpClient expired = client("127.0.0.3", 3);
        long expiredId = expired.connect();
        clock.advance(ConnectionIds.LIFETIME.plusSeconds(11)); // beyond the lifetime plus the clock skew
        long othersId = client("::1", 1).connect();
        UdpClient spoofer = client("127.0.0.2", 2);
        SplittableRandom random = new SplittableRandom(13);
        record Source(UdpClient client, long id) {
        }
        int expectedAnnounces = 0;
        int expectedScrapes = 0;
        for (Source s : List.of(new Source(spoofer, random.nextLong()), new Source(spoofer, othersId),
                new Source(expired, expiredId))) {
            byte[] announce = bep41Announce(s.id(), s.client().peerId);
            byte[] scrape = scrape(s.id(), 102);
            for (int n = 0; n <= MAX_LENGTH; n++) {
                for (byte[] packet : List.of(withHeader(randomBytes(random, n), s.id(), n % 3),
                        Arrays.copyOf(announce, n), Arrays.copyOf(scrape, n))) {
                    int tid = stamp(packet, 1, n);
                    List<byte[]> answers = sendAndCollect(s.client(), packet);
                    int action = packet.length >= 16 ? ByteBuffer.wrap(packet).getInt(8) : -1;
                    expectedAnnounces += action == 1 ? 1 : 0;
                    expectedScrapes += action == 2 ? 1 : 0;
                    if (action == 0) { // a connect carries no id: answered as long as it came (16 bytes)
                        assertTrue(answers.size() <= 1 && answers.stream().allMatch(a -> a.length == 16));
                        continue;
                    }
                    if (packet.length < MIN_ANSWERED_UNPROVEN) {
                        assertEquals(0, answers.size(), () -> packet.length + " bytes, action " + action
                                + ": no answer without a valid id");
                        continue;
                    }
                    assertEquals(1, answers.size(), () -> packet.length + " bytes, action " + action);
                    byte[] a = answers.getFirst();
                    assertEquals(ID_ERROR_LENGTH, a.length);
                    UdpErrorResponse error = assertInstanceOf(UdpErrorResponse.class, decode(a));
                    assertEquals(UdpWorker.INVALID_CONNECTION_ID, error.message());
                    assertEquals(tid, error.transactionId());
                    assertTrue((double) a.length / packet.length <= UdpWorker.MAX_UNPROVEN_ANSWER_RATIO);
                }
            }
        }
        assertEquals(expectedAnnounces, count("announce", "ipv4", "bad_request"));
        assertEquals(expectedScrapes, count("scrape", "ipv4", "bad_request"));
        assertEquals(0, count("announce", "ipv4", "ok"), "nothing got through");
        assertTrue(ID_ERROR_LENGTH / (double) MIN_ANSWERED_UNPROVEN <= 1.12, "the bound README states");
        assertNothingLoggedAndStillServing(spoofer);
    }

    // ------------------------------------------------------------------ helpers

    private void assertNothingLoggedAndStillServing(UdpClient client) throws IOException {
        UdpAnnounceResponse ok = client.announce(TORRENT, 1, -1, "/announce?after=junk");
        assertEquals(1800, ok.interval(), "a valid announce is still answered");
        assertEquals(List.of(), log.warningsAndStackTraces(), "nothing an operator would have to read");
        assertTrue(!log.allText().contains("Exception"), log::allText);
    }

    /** Sends {@code packet}, then a connect; returns what arrived before the connect's answer. */
    private List<byte[]> sendAndCollect(UdpClient client, byte[] packet) throws IOException {
        client.sendRaw(packet);
        int probe = 0x7000_0000 | ++probes;
        ByteBuffer out = ByteBuffer.allocate(16);
        UdpRequests.encode(out, new UdpConnectRequest(probe));
        client.sendRaw(out.array());
        List<byte[]> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // the packet's answer, the probe's; bounded
            byte[] in = new byte[65_536];
            DatagramPacket p = new DatagramPacket(in, in.length);
            client.socket.setSoTimeout(5000);
            try {
                client.socket.receive(p);
            } catch (SocketTimeoutException e) {
                fail("no answer to the probe after a " + packet.length + "-byte packet: the worker is stuck");
            }
            byte[] a = Arrays.copyOf(in, p.getLength());
            if (a.length == 16 && ByteBuffer.wrap(a).getInt(0) == 0 && ByteBuffer.wrap(a).getInt(4) == probe) {
                return before;
            }
            before.add(a);
        }
        return fail("more than one answer to a " + packet.length + "-byte packet");
    }

    private static UdpResponse decode(byte[] answer) {
        try {
            return UdpResponses.decode(ByteBuffer.wrap(answer), io.swarmgate.bittorrent.AddressFamily.IPV6);
        } catch (UdpCodecException e) {
            throw new AssertionError("the tracker sent a malformed packet: " + e.getMessage(), e);
        }
    }

    /** Gives each packet long enough to carry one its own transaction id (never a probe's). */
    private static int stamp(byte[] packet, int kind, int n) {
        int tid = kind << 16 | n;
        if (packet.length >= 16) {
            ByteBuffer.wrap(packet).putInt(12, tid);
        }
        return tid;
    }

    private static boolean isRequestAction(byte[] packet) {
        int action = ByteBuffer.wrap(packet).getInt(8);
        return action >= 0 && action <= 2;
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Random bytes behind a header that names {@code action} with {@code connectionId} (or the magic for 0). */
    private static byte[] withHeader(byte[] packet, long connectionId, int action) {
        if (packet.length >= 16) {
            ByteBuffer.wrap(packet).putLong(0, action == 0 ? UdpRequests.PROTOCOL_ID : connectionId).putInt(8, action);
        }
        return packet;
    }

    private static byte[] connect() {
        return encode(new UdpConnectRequest(1));
    }

    /** An announce with BEP 41 URL data long enough (several options) to reach past {@link #MAX_LENGTH}. */
    private static byte[] bep41Announce(long id, PeerId peerId) {
        String urlData = "/announce?jwt=" + "x".repeat(2100) + "&tier=gold";
        byte[] packet = encode(new UdpAnnounceRequest(id, 1, TORRENT, peerId, 0, 1, 0, 2, 0, 0, -1, 6881, urlData));
        assertTrue(packet.length > MAX_LENGTH);
        return packet;
    }

    private static byte[] scrape(long id, int hashes) {
        byte[] packet = encode(new UdpScrapeRequest(id, 1, Collections.nCopies(hashes, TORRENT)));
        assertTrue(packet.length > MAX_LENGTH);
        return packet;
    }

    private static byte[] encode(UdpRequest request) {
        ByteBuffer out = ByteBuffer.allocate(8192);
        UdpRequests.encode(out, request);
        return Arrays.copyOf(out.array(), out.position());
    }

    private long count(String action, String family, String result) {
        Timer t = meters.find(RequestMetrics.NAME).tags("frontend", "udp", "action", action,
                "address_family", family, "result", result).timer();
        return t == null ? 0 : t.count();
    }

    private long count(String action, String family) {
        return meters.find(RequestMetrics.NAME).tags("frontend", "udp", "action", action, "address_family", family)
                .timers().stream().mapToLong(Timer::count).sum();
    }

    private UdpClient client(String loopback, int n) throws IOException {
        UdpClient c = new UdpClient(loopback, frontend.port(), n);
        toClose.add(c.socket);
        return c;
    }
}
