package io.swarmgate.frontend.udp;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.storage.StoreSteps;
import io.swarmgate.testing.UdpClient;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.config.UdpConfig;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.net.BatchSocket;
import io.swarmgate.protocol.udp.CompactPeer;
import io.swarmgate.protocol.udp.ScrapeEntry;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.protocol.udp.UdpResponses;
import io.swarmgate.protocol.udp.UdpConnectRequest;
import io.swarmgate.protocol.udp.UdpConnectResponse;
import io.swarmgate.protocol.udp.UdpErrorResponse;
import io.swarmgate.protocol.udp.UdpRequest;
import io.swarmgate.protocol.udp.UdpResponse;
import io.swarmgate.protocol.udp.UdpScrapeRequest;
import io.swarmgate.protocol.udp.UdpScrapeResponse;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.memory.MemoryPeerStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The UDP frontend over real sockets, with the real tracker logic, a real store and a real hook. */
class UdpFrontendIT {
    private static final String SECRET = "integration-test-secret-0123456789";
    static final InfoHash TORRENT = InfoHash.fromHex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    private static final InfoHash OTHER = InfoHash.fromHex("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    /** The test hook refuses announces for this torrent unless the URL data carried jwt=xyz. */
    private static final InfoHash PROTECTED = InfoHash.fromHex("cccccccccccccccccccccccccccccccccccccccc");

    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ParamsHook hook = new ParamsHook();
    private final AtomicInteger nextPeer = new AtomicInteger();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private MemoryPeerStore store;
    private UdpFrontend frontend;
    /** {@code udp.arrival-timestamps} for the next {@link #start}. */
    private boolean arrivalTimestamps;
    /** A prehook to run after {@link #hook} from the next {@link #start} on; none when null. */
    Hook extraPrehook;

    /** Records the parameters every announce carried; refuses {@link #PROTECTED} without jwt=xyz. */
    static final class ParamsHook implements Hook {
        final List<Map<String, String>> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void announce(AnnounceContext ctx) throws ClientError {
            Map<String, String> params = ctx.request().meta().params();
            seen.add(params);
            if (params.containsKey("boom")) {
                throw new IllegalStateException("hook exploded");
            }
            if (ctx.request().infoHash().equals(PROTECTED) && !"xyz".equals(params.get("jwt"))) {
                throw ClientError.unauthorized("jwt required");
            }
        }
    }

    UdpFrontend start(String host, int workers, boolean allowIpParam, TrackerConfig tracker)
            throws IOException {
        return start(host, workers, allowIpParam, tracker, List.of());
    }

    private UdpFrontend start(String host, int workers, boolean allowIpParam, TrackerConfig tracker,
                              List<Hook> posthooks) throws IOException {
        store = new MemoryPeerStore(Duration.ofMinutes(45), clock, () -> new SplittableRandom(7));
        TrackerLogic logic = new TrackerLogic(tracker, served(store),
                extraPrehook == null ? List.of(hook) : List.of(hook, extraPrehook), posthooks);
        UdpConfig config = new UdpConfig(true, host, 0, workers, SECRET, Duration.ofSeconds(10), allowIpParam,
                batchSize(), arrivalTimestamps);
        frontend = new UdpFrontend(config, logic, new RequestMetrics(meters), clock);
        toClose.add(frontend);
        toClose.add(store);
        frontend.start();
        return frontend;
    }

    /** {@code udp.batch-size}: the default here, so a Linux JDK 22+ serves through batch sockets. */
    int batchSize() {
        return UdpConfig.DEFAULT_BATCH_SIZE;
    }

    /** Whether this configuration must run on batch sockets: a local store, batches over 1, a platform with them. */
    boolean expectBatched() {
        return batchSize() > 1 && BatchSocket.unavailableReason() == null;
    }

    /** The store the tracker logic is given: {@code store} itself here. */
    PeerStore served(MemoryPeerStore store) {
        return store;
    }

    private UdpFrontend start() throws IOException {
        return start("::", 2, false, TrackerConfig.DEFAULTS);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    // ------------------------------------------------------------------ the happy path, both families

    @Test
    void connectAnnounceScrapeOverIpv4AndASecondPeerSeesTheFirst() throws Exception {
        start();
        UdpClient leecher = client("127.0.0.1");
        UdpAnnounceResponse first = leecher.announce(TORRENT, 100, -1, "");
        assertEquals(1800, first.interval());
        assertEquals(List.of(), first.peers(), "the announcer is not in its own answer");
        assertEquals(1, first.leechers(), "but it is counted in it");

        UdpClient seeder = client("127.0.0.1");
        UdpAnnounceResponse second = seeder.announce(TORRENT, 0, -1, "");
        assertEquals(1, second.leechers());
        assertEquals(1, second.seeders());
        assertEquals(List.of(new CompactPeer(IpAddress.parse("127.0.0.1"), leecher.port)), second.peers());
        assertEquals(20 + 6, seeder.lastLength, "IPv4 peers are 6 bytes");
        assertEquals(List.of(new ScrapeEntry(1, 0, 1)), seeder.scrape(TORRENT).entries());
    }

    @Test
    void ipv6ClientsGetEighteenBytePeersFromTheIpv6SwarmOnly() throws Exception {
        start();
        UdpClient v4 = client("127.0.0.1");
        v4.announce(TORRENT, 100, -1, "");
        UdpClient first = client("::1");
        first.announce(TORRENT, 100, -1, "");

        UdpClient second = client("::1");
        UdpAnnounceResponse r = second.announce(TORRENT, 100, -1, "");
        assertEquals(List.of(new CompactPeer(IpAddress.parse("::1"), first.port)), r.peers());
        assertEquals(20 + 18, second.lastLength, "IPv6 peers are 18 bytes");
        assertEquals(3, r.leechers(), "counts cover both families, the announcer included");
    }

    @Test
    void anIpv4OnlyListenerWithOneWorkerServesToo() throws Exception {
        start("127.0.0.1", 1, false, TrackerConfig.DEFAULTS);
        assertEquals(List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), frontend.port())),
                frontend.boundAddresses());
        UdpClient c = client("127.0.0.1");
        assertEquals(1800, c.announce(TORRENT, 1, -1, "").interval());
    }

    // ------------------------------------------------------------------ connection ids

    @Test
    void expiredConnectionIdsGetAnErrorPacket() throws Exception {
        start();
        UdpClient c = client("127.0.0.1");
        long id = c.connect();
        clock.advance(Duration.ofSeconds(120));
        assertInstanceOf(UdpAnnounceResponse.class, c.exchange(c.announceRequest(id, TORRENT, 1, -1, 6881, "")));
        clock.advance(Duration.ofSeconds(11)); // beyond two minutes plus the 10 s clock skew
        assertError("connection id expired or invalid", c.exchange(c.announceRequest(id, TORRENT, 1, -1, 6881, "")));
        assertError("connection id expired or invalid",
                c.exchange(new UdpScrapeRequest(id, c.nextTransaction(), List.of(TORRENT))));
    }

    @Test
    void forgedAndBorrowedConnectionIdsGetAnErrorPacket() throws Exception {
        start();
        UdpClient c = client("127.0.0.1");
        assertError("connection id expired or invalid",
                c.exchange(c.announceRequest(0x1234_5678_9abc_def0L, TORRENT, 1, -1, 6881, "")));
        long someoneElses = client("127.0.0.2").connect();
        assertError("connection id expired or invalid",
                c.exchange(c.announceRequest(someoneElses, TORRENT, 1, -1, 6881, "")));
        assertEquals(0, store.stats(TORRENT).incomplete(), "nothing was stored");
        assertEquals(2, count("announce", "ipv4", "bad_request"));
    }

    // ------------------------------------------------------------------ BEP 41 URL data reaches hooks

    @Test
    void urlDataParametersReachHooks() throws Exception {
        start();
        UdpClient c = client("127.0.0.1");
        c.announce(TORRENT, 1, -1, "/announce?jwt=xyz&tier=gold%20plus");
        assertEquals(Map.of("jwt", "xyz", "tier", "gold plus"), hook.seen.getLast());
        c.announce(TORRENT, 1, -1, "");
        assertEquals(Map.of(), hook.seen.getLast());
    }

    @Test
    void aHookCanRefuseOnWhatUrlDataCarried() throws Exception {
        start();
        UdpClient c = client("::1");
        assertError("jwt required", c.exchange(c.announceRequest(c.connect(), PROTECTED, 1, -1, 6881, "/announce")));
        assertError("jwt required",
                c.exchange(c.announceRequest(c.connect(), PROTECTED, 1, -1, 6881, "/announce?jwt=nope")));
        UdpAnnounceResponse ok = c.announce(PROTECTED, 1, -1, "/announce?jwt=xyz");
        assertEquals(1800, ok.interval());
        assertEquals(2, count("announce", "ipv6", "unauthorized"));
    }

    // ------------------------------------------------------------------ announce fields

    /**
     * Every refused announce gets an error packet with the reason, is counted under its result and stores
     * nothing, and serving goes on. The hook refuses {@code boom} by exploding: the client sees a generic reason.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            6881 |  0 |  1 | 0 | 0 | /announce?jwt=%zz | malformed percent-encoding in query | bad_request
            0    |  0 |  1 | 0 | 0 | ''                | invalid port: must be 1-65535       | bad_request
            6881 |  0 |  1 | 0 | 9 | ''                | invalid event 9                     | bad_request
            6881 |  0 | -1 | 0 | 0 | ''                | invalid left: must not be negative  | bad_request
            6881 |  0 |  1 |-5 | 0 | ''                | invalid uploaded: must not be negative | bad_request
            6881 | -1 |  1 | 0 | 0 | ''                | invalid downloaded: must not be negative | bad_request
            6881 |  0 |  1 | 0 | 0 | /announce?boom=1  | internal error                      | internal
            """)
    void refusedAnnouncesGetTheirReasonAndServingGoesOn(int port, long downloaded, long left, long uploaded,
                                                         int event, String urlData, String reason, String result)
            throws Exception {
        start();
        UdpClient c = client("127.0.0.1");
        assertError(reason, c.exchange(new UdpAnnounceRequest(c.connect(), 7, TORRENT, c.peerId, downloaded, left,
                uploaded, event, 0, 0, -1, port, urlData)));
        assertEquals(1, count("announce", "ipv4", result));
        assertEquals(0, store.stats(TORRENT).incomplete(), "nothing was stored");
        assertEquals(1800, c.announce(TORRENT, 1, -1, "").interval(), "still serving");
        assertEquals(2, count("connect", "ipv4", "ok"));
    }

    @Test
    void negativeNumWantMeansTheDefaultAndLargeOnesAreCapped() throws Exception {
        start("::", 2, false, new TrackerConfig(Duration.ofMinutes(30), Duration.ofMinutes(15), 10, 20, 64));
        seedPeers(TORRENT, 30, "10.0.0.", true);
        UdpClient c = client("127.0.0.1");
        assertEquals(10, c.announce(TORRENT, 1, -1, "").peers().size());
        assertEquals(10, c.announce(TORRENT, 1, -7, "").peers().size());
        assertEquals(15, c.announce(TORRENT, 1, 15, "").peers().size());
        assertEquals(20, c.announce(TORRENT, 1, 1000, "").peers().size());
        assertEquals(0, c.announce(TORRENT, 1, 0, "").peers().size());
    }

    /** 1400-byte answers: a 20-byte header and (1400 - 20) / 6 = 230 IPv4 or (1400 - 20) / 18 = 76 IPv6 peers. */
    @ParameterizedTest
    @CsvSource({"127.0.0.1, 10.0.0., 230, 1400", "::1, 2001:db8::, 76, 1388"})
    void answersStayWithinTheSafePayload(String client, String peerPrefix, int peers, int bytes) throws Exception {
        start("::", 2, false, new TrackerConfig(Duration.ofMinutes(30), Duration.ofMinutes(15), 250, 250, 64));
        seedPeers(TORRENT, 250, peerPrefix, true);
        UdpClient c = client(client);
        UdpAnnounceResponse r = c.announce(TORRENT, 1, -1, "");
        assertEquals(peers, r.peers().size());
        assertEquals(bytes, c.lastLength, "answer of " + c.lastLength + " bytes");
    }

    @Test
    void theIpFieldCountsOnlyWhenAllowed() throws Exception {
        start("::", 2, true, TrackerConfig.DEFAULTS);
        UdpClient c = client("127.0.0.1");
        c.exchange(new UdpAnnounceRequest(c.connect(), 5, TORRENT, c.peerId, 0, 1, 0, 2,
                (int) IpAddress.parse("10.9.8.7").lo(), 0, -1, 7000, ""));
        UdpClient other = client("127.0.0.1");
        assertEquals(List.of(new CompactPeer(IpAddress.parse("10.9.8.7"), 7000)),
                other.announce(TORRENT, 0, -1, "").peers());
    }

    @Test
    void theIpFieldIsIgnoredByDefault() throws Exception {
        start();
        UdpClient c = client("127.0.0.1");
        c.exchange(new UdpAnnounceRequest(c.connect(), 5, TORRENT, c.peerId, 0, 1, 0, 2, 0x0a090807, 0, -1, 7000,
                ""));
        assertEquals(List.of(new CompactPeer(IpAddress.parse("127.0.0.1"), 7000)),
                client("127.0.0.1").announce(TORRENT, 0, -1, "").peers());
    }

    @Test
    void stoppedRemovesThePeer() throws Exception {
        start();
        UdpClient c = client("127.0.0.1");
        c.announce(TORRENT, 1, -1, "");
        assertEquals(1, c.scrape(TORRENT).entries().getFirst().leechers());
        c.exchange(new UdpAnnounceRequest(c.connect(), 9, TORRENT, c.peerId, 0, 1, 0, 3, 0, 0, -1, c.port, ""));
        assertEquals(0, c.scrape(TORRENT).entries().getFirst().leechers());
    }

    // ------------------------------------------------------------------ scrape

    @Test
    void scrapeAnswersEveryHashInRequestOrderDuplicatesIncluded() throws Exception {
        start();
        seedPeers(TORRENT, 3, "10.0.0.", true);
        UdpClient c = client("127.0.0.1");
        UdpScrapeResponse r = (UdpScrapeResponse) c.exchange(
                new UdpScrapeRequest(c.connect(), 3, List.of(OTHER, TORRENT, OTHER)));
        assertEquals(List.of(new ScrapeEntry(0, 0, 0), new ScrapeEntry(3, 0, 0), new ScrapeEntry(0, 0, 0)),
                r.entries());
    }

    @Test
    void tooManyInfoHashesAreRefused() throws Exception {
        start("::", 2, false, new TrackerConfig(Duration.ofMinutes(30), Duration.ofMinutes(15), 50, 200, 1000));
        UdpClient c = client("127.0.0.1");
        long id = c.connect();
        List<InfoHash> many = Collections.nCopies(117, TORRENT);
        assertError("too many info_hashes: at most 116 per UDP scrape",
                c.exchange(new UdpScrapeRequest(id, 1, many)));
        UdpScrapeResponse max = (UdpScrapeResponse) c.exchange(
                new UdpScrapeRequest(id, 2, Collections.nCopies(116, TORRENT)));
        assertEquals(116, max.entries().size());
        assertEquals(8 + 116 * 12, c.lastLength, "1400 bytes: an 8-byte header and 12 per info_hash");
    }

    @Test
    void theTrackersScrapeLimitAppliesToo() throws Exception {
        start();
        UdpClient c = client("127.0.0.1");
        assertError("too many info_hashes: at most 64 per scrape",
                c.exchange(new UdpScrapeRequest(c.connect(), 1, Collections.nCopies(65, TORRENT))));
        assertEquals(1, count("scrape", "ipv4", "too_large"));
    }

    // ------------------------------------------------------------------ malformed packets and failures

    @Test
    void malformedRequestsGetAnErrorAndNonRequestsNoAnswer() throws Exception {
        start();
        UdpClient c = client("127.0.0.1");
        byte[] shortAnnounce = new byte[50];
        ByteBuffer.wrap(shortAnnounce).putLong(c.connect()).putInt(1).putInt(4243); // the reason needs a valid id
        c.sendRaw(shortAnnounce);
        UdpErrorResponse error = assertInstanceOf(UdpErrorResponse.class, c.receive(5000));
        assertEquals(4243, error.transactionId());
        assertEquals("announce shorter than 98 bytes", error.message());

        c.sendRaw(new byte[15]); // too short for a transaction id
        c.sendRaw(ByteBuffer.allocate(16).putLong(1).putInt(9).putInt(4244).array()); // unknown action
        c.sendRaw(ByteBuffer.allocate(16).putLong(7).putInt(0).putInt(4245).array()); // connect without magic
        ByteBuffer ourOwnError = ByteBuffer.allocate(64);
        UdpResponses.encodeError(ourOwnError, 4246, "connection id expired or invalid");
        c.sendRaw(java.util.Arrays.copyOf(ourOwnError.array(), ourOwnError.position())); // a reflected answer
        assertThrows(SocketTimeoutException.class, () -> c.receive(300));
        assertTrue(c.connect() != 0, "still serving");
    }

    // ------------------------------------------------------------------ life cycle

    @Test
    void closeStopsWorkersAndFreesThePortPromptly() throws Exception {
        start("127.0.0.1", 3, false, TrackerConfig.DEFAULTS);
        int port = frontend.port();
        client("127.0.0.1").connect();
        long before = System.nanoTime();
        frontend.close();
        // generous: a blocked receive is woken by closing the channel, not by a timeout that close would wait out
        assertTrue(System.nanoTime() - before < Duration.ofSeconds(10).toNanos(), "close took too long");
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("swarmgate-udp-") && t.isAlive()), "workers still running");
        try (DatagramChannel again = DatagramChannel.open()) {
            again.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port)); // no SO_REUSEPORT
        }
        assertEquals(List.of(), frontend.boundAddresses());
    }

    @Test
    void instancesSharingTheSecretAcceptEachOthersIds() throws Exception {
        start();
        UdpFrontend first = frontend;
        UdpFrontend second = start();
        UdpClient c = client("127.0.0.1");
        long fromSecond = c.connect();
        UdpClient sameSocketToFirst = new UdpClient(c, first.port());
        assertInstanceOf(UdpAnnounceResponse.class,
                sameSocketToFirst.exchange(c.announceRequest(fromSecond, TORRENT, 1, -1, 6881, "")));
        assertTrue(second.port() != first.port());
    }

    @Test
    void anEmptySecretMeansARandomOneAndStillServes() throws Exception {
        store = new MemoryPeerStore(Duration.ofMinutes(45), clock, () -> new SplittableRandom(7));
        TrackerLogic logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(), List.of());
        frontend = new UdpFrontend(new UdpConfig(true, "::1", 0, 0, "", Duration.ofSeconds(10), false, batchSize()), logic,
                new RequestMetrics(meters), clock);
        toClose.add(frontend);
        frontend.start();
        UdpClient c = client("::1");
        assertEquals(1800, c.announce(TORRENT, 1, -1, "").interval());
    }

    @Test
    void itServesThroughTheSocketsItShouldAndOnLinuxThatIsBatched() throws Exception {
        start();
        assertEquals(expectBatched(), frontend.batched(), "batch sockets in use (unavailable here: "
                + BatchSocket.unavailableReason() + ")");
        if (getClass() == UdpFrontendIT.class) {
            // CI runs Linux and JDK 25: the batch path must be the one these tests exercise
            assertNull(BatchSocket.unavailableReason());
        }
        assertEquals(1800, client("127.0.0.1").announce(TORRENT, 1, -1, "").interval());
    }

    @Test
    void posthooksRunOnlyOnceTheAnswerIsOut() throws Exception {
        CountDownLatch answered = new CountDownLatch(1);
        CompletableFuture<Boolean> ranAfterAnswer = new CompletableFuture<>();
        // the client holds its answer before this posthook returns, or the posthook ran too early
        start("127.0.0.1", 1, false, TrackerConfig.DEFAULTS, List.of(waitsFor(answered, ranAfterAnswer)));
        UdpClient c = client("127.0.0.1");
        long id = c.connect();
        // the answer arrives while the posthook waits for it
        assertEquals(1800, c.announce(id, TORRENT, 5, 0).interval());
        answered.countDown();
        // the posthook may run on another thread than the next answer (a remote store's): wait for it to return
        assertTrue(ranAfterAnswer.get(10, TimeUnit.SECONDS));
    }

    @Test
    void withArrivalTimestampsARequestsRecordedDurationCountsItsWaitInTheSocketsQueue() throws Exception {
        assertEquals(expectBatched(), queuedConnectSeconds(true) >= 0.050);
    }

    @Test
    void withoutArrivalTimestampsTheDurationCountsFromTheReceive() throws Exception {
        assertTrue(queuedConnectSeconds(false) < 0.050);
    }

    /**
     * The duration recorded for a connect request that waited 50 ms in the socket's queue behind a worker busy in
     * a prehook ({@code udp.arrival-timestamps} as given). Prehooks run on the receiving thread whatever the store,
     * so the one worker's socket is not read meanwhile.
     */
    private double queuedConnectSeconds(boolean timestamps) throws Exception {
        arrivalTimestamps = timestamps;
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        extraPrehook = holdsFirstAnnounce(holding, release);
        start("127.0.0.1", 1, false, TrackerConfig.DEFAULTS);
        UdpClient c = client("127.0.0.1");
        long id = c.connect();
        double before = connectSeconds();
        CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> {
            try {
                return c.announce(id, TORRENT, 5, 0).interval();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        // the worker is in the prehook: the next datagram waits in the socket's queue
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            byte[] connect = ByteBuffer.allocate(16).putLong(0x41727101980L).putInt(0).putInt(77).array();
            raw.send(new DatagramPacket(connect, 16, new InetSocketAddress("127.0.0.1", frontend.port())));
            Thread.sleep(50); // the time the connect request spends queued behind the busy worker
            release.countDown();
            raw.setSoTimeout(5000);
            DatagramPacket answer = new DatagramPacket(new byte[64], 64);
            raw.receive(answer);
            assertEquals(16, answer.getLength());
        }
        assertEquals(1800, held.get(10, TimeUnit.SECONDS));
        // the JDK's channel (batch-size 1) has no arrival time: there it counts from the receive, after the wait
        return connectSeconds() - before;
    }

    /**
     * A prehook that holds the first announce, and with it the receive loop it runs on, until {@code release}
     * opens (at most 10 s); {@code holding} opens once it holds. Later announces pass.
     */
    static Hook holdsFirstAnnounce(CountDownLatch holding, CountDownLatch release) {
        return new Hook() {
            @Override
            public void announce(AnnounceContext ctx) {
                if (holding.getCount() == 0) {
                    return;
                }
                holding.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /**
     * A posthook that waits until {@code latch} opens (at most 10 s); {@code opened} is completed, once the first
     * call returns, with whether the latch opened.
     */
    private static Hook waitsFor(CountDownLatch latch, CompletableFuture<Boolean> opened) {
        return new Hook() {
            @Override
            public void announce(AnnounceContext ctx) {
                try {
                    opened.complete(latch.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private double connectSeconds() {
        Timer t = meters.find(RequestMetrics.NAME).tags("frontend", "udp", "action", "connect",
                "address_family", "ipv4", "result", "ok").timer();
        return t == null ? 0 : t.totalTime(TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ helpers

    private void seedPeers(InfoHash infoHash, int n, String prefix, boolean seeders) {
        for (int i = 1; i <= n; i++) {
            byte[] id = new byte[20];
            ByteBuffer.wrap(id).putInt(16, i);
            String address = prefix + (prefix.contains(":") ? Integer.toHexString(i) : Integer.toString(i));
            StoreSteps.put(store, infoHash, new Peer(PeerId.of(id), IpAddress.parse(address), 6881), seeders);
        }
    }

    private long count(String action, String family, String result) {
        Timer t = meters.find(RequestMetrics.NAME).tags("frontend", "udp", "action", action,
                "address_family", family, "result", result).timer();
        return t == null ? 0 : t.count();
    }

    private static void assertError(String message, UdpResponse response) {
        UdpErrorResponse error = assertInstanceOf(UdpErrorResponse.class, response);
        assertEquals(message, error.message());
    }

    UdpClient client(String loopback) throws IOException {
        UdpClient c = new UdpClient(loopback, frontend.port(), nextPeer.incrementAndGet());
        toClose.add(c.socket);
        return c;
    }
}
