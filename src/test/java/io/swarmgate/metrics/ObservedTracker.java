package io.swarmgate.metrics;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.storage.StoreSteps;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.config.MetricsConfig;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookServices;
import io.swarmgate.hook.approval.ClientApprovalHook;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.storage.PeerExpiry;
import io.swarmgate.storage.StoreMetrics;
import io.swarmgate.storage.memory.MemoryPeerStore;
import io.swarmgate.testing.JwtYaml;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The meters of a running tracker, registered by the real components (request metrics, a memory store with
 * its gauges and expiry, an approval hook, the JVM binders) after some traffic, behind a real metrics listener.
 */
final class ObservedTracker implements AutoCloseable {
    final Meters meters = Meters.create();
    final MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31),
            new MutableClock(Instant.parse("2026-01-01T00:00:00Z")), SplittableRandom::new);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final PeerExpiry expiry;
    private final Hook approval;
    private final Hook jwt;
    final MetricsServer server;

    ObservedTracker() throws Exception {
        RequestMetrics requests = new RequestMetrics(meters.registry());
        for (Frontend f : Frontend.values()) {
            for (AddressFamily family : AddressFamily.values()) {
                for (Action a : List.of(Action.CONNECT, Action.ANNOUNCE, Action.SCRAPE)) {
                    requests.record(f, a, family, RequestMetrics.OK, 150_000);
                }
                requests.recordError(f, Action.ANNOUNCE, family,
                        ClientError.unauthorized("token expired"), 80_000);
            }
        }
        requests.record(Frontend.HTTP, Action.ANNOUNCE, AddressFamily.IPV4, RequestMetrics.INTERNAL,
                3_000_000);
        StoreMetrics.bind(store, meters.registry());
        StoreSteps.put(store, new InfoHash(1, 2, 3), new Peer(new PeerId(1, 1, 1), IpAddress.parse("10.1.2.3"), 6881), true);
        StoreSteps.put(store, new InfoHash(1, 2, 3), new Peer(new PeerId(1, 1, 2), IpAddress.parse("fd00::7"), 6881), false);
        expiry = PeerExpiry.start(store, Duration.ofHours(1), scheduler, meters.registry());
        // the tracker logic counts handed-out peers by tier: one announce that gets the seeder above
        new io.swarmgate.logic.TrackerLogic(io.swarmgate.config.TrackerConfig.DEFAULTS, store, java.util.List.of(),
                java.util.List.of(), meters.registry()).announce(new io.swarmgate.bittorrent.AnnounceRequest(
                new InfoHash(1, 2, 3), new Peer(new PeerId(1, 1, 4), IpAddress.parse("10.1.2.5"), 6881), 0, 0, 5,
                io.swarmgate.bittorrent.Event.NONE, 10, true, false,
                io.swarmgate.bittorrent.RequestMeta.of(Frontend.HTTP)), new io.swarmgate.bittorrent.PeerCollector());
        // hooks register their own meters when built, as the tracker builds them
        HookServices services = new HookServices(java.time.InstantSource.system(), SplittableRandom::new,
                meters.registry(), scheduler);
        approval = ClientApprovalHook.FACTORY.create(
                SwarmgateConfig.fromYaml("prehooks: [{name: client-approval, config: {deny: [-XX]}}]")
                        .prehooks().getFirst().config(), services);
        jwt = io.swarmgate.hook.jwt.JwtHook.FACTORY.create(SwarmgateConfig.fromYaml(JwtYaml.EXAMPLE_PREHOOK)
                .prehooks().getFirst().config(), services);
        try {
            // one refused announce, so the verification counter has a sample
            jwt.announce(new io.swarmgate.hook.AnnounceContext(new io.swarmgate.bittorrent.AnnounceRequest(
                    new InfoHash(1, 2, 3), new Peer(new PeerId(1, 1, 3), IpAddress.parse("10.1.2.4"), 6881), 0, 0, 5,
                    io.swarmgate.bittorrent.Event.NONE, 10, true, false,
                    io.swarmgate.bittorrent.RequestMeta.of(Frontend.HTTP)), 1800, 900));
            throw new AssertionError("an announce without a token must be refused");
        } catch (ClientError expected) {
            // counted as a verification with a refusal result
        }
        server = MetricsServer.start(new MetricsConfig(true, "127.0.0.1", 0), meters.registry(), Readiness.READY);
    }

    String scrape() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> res = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + res.statusCode());
            }
            return res.body();
        }
    }

    @Override
    public void close() {
        server.close();
        expiry.close();
        approval.close();
        jwt.close();
        scheduler.shutdownNow();
        store.close();
        meters.close();
    }
}
