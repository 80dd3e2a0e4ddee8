package io.swarmgate;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmgate.config.HookSpec;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.frontend.http.HttpFrontend;
import io.swarmgate.frontend.udp.UdpFrontend;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.HookRegistry;
import io.swarmgate.hook.HookServices;
import io.swarmgate.hook.accounting.AccountingHook;
import io.swarmgate.hook.approval.ClientApprovalHook;
import io.swarmgate.hook.approval.TorrentApprovalHook;
import io.swarmgate.hook.interval.IntervalVariationHook;
import io.swarmgate.hook.jwt.JwtHook;
import io.swarmgate.hook.ratelimit.RateLimitHook;
import io.swarmgate.hook.subnet.SubnetPreferenceHook;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.MetricsServer;
import io.swarmgate.metrics.SwarmRoutes;
import io.swarmgate.metrics.OperatorRoutes;
import io.swarmgate.metrics.RackPrefixes;
import io.swarmgate.metrics.Readiness;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.storage.PeerExpiry;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.StoreMetrics;
import io.swarmgate.storage.memory.MemoryPeerStore;
import io.swarmgate.storage.redis.RedisPeerStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Wiring: builds the store, the hook chain, the tracker logic and the listeners from one
 * {@link SwarmgateConfig}, and takes them down again in reverse order. Nothing here is static, so tests run
 * several trackers in one JVM.
 */
public final class Swarmgate implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Swarmgate.class.getName());

    private final SwarmgateConfig config;
    private final ScheduledExecutorService scheduler;
    private final PeerStore store;
    private final TrackerLogic logic;
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private volatile boolean closing;
    private PeerExpiry expiry;
    private HttpFrontend http;
    private UdpFrontend udp;
    private MetricsServer metricsServer;

    private Swarmgate(SwarmgateConfig config, ScheduledExecutorService scheduler, PeerStore store,
                      TrackerLogic logic) {
        this.config = config;
        this.scheduler = scheduler;
        this.store = store;
        this.logic = logic;
    }

    /**
     * Starts everything the configuration enables. With {@code metrics.enabled}, {@code meters} must be a
     * {@link PrometheusMeterRegistry} (it is what /metrics serves). On failure, whatever was started is closed
     * again and the exception propagates (a {@link io.swarmgate.config.ConfigException} names the key).
     */
    public static Swarmgate start(SwarmgateConfig config, MeterRegistry meters, InstantSource clock) {
        if (config.metrics().enabled() && !(meters instanceof PrometheusMeterRegistry)) {
            throw new IllegalArgumentException("metrics.enabled needs a PrometheusMeterRegistry");
        }
        ScheduledExecutorService scheduler = newScheduler();
        List<Hook> built = new ArrayList<>();
        PeerStore store = null;
        try {
            store = config.storage().type().equals("redis") ? RedisPeerStore.create(config.storage(), clock)
                    : MemoryPeerStore.create(config.storage(), clock);
            StoreMetrics.bind(store, meters);
            HookServices services = new HookServices(clock, ThreadLocalRandom::current, meters, scheduler,
                    config.storage().peerLifetime());
            HookRegistry registry = builtInHooks();
            List<Hook> pre = hooks(config.prehooks(), registry, services, built, false);
            config.tracker().rateLimit().ifPresent(limit -> pre.addFirst(new RateLimitHook(limit, clock)));
            List<Hook> post = hooks(config.posthooks(), registry, services, built, false);
            TrackerLogic logic = new TrackerLogic(config.tracker(), store, pre, post, meters);
            Swarmgate tracker = new Swarmgate(config, scheduler, store, logic);
            List<OperatorRoutes> routes = operatorRoutes(built);
            routes.add(new SwarmRoutes(store, RackPrefixes.of(built), config.metrics()));
            tracker.startListeners(new RequestMetrics(meters), meters, clock, routes);
            return tracker;
        } catch (RuntimeException e) {
            built.forEach(Hook::close);
            if (store != null) {
                store.close();
            }
            scheduler.shutdownNow();
            throw e;
        }
    }

    /**
     * What {@link #start} checks before it binds a port, for {@code swarmgate config check}: the configuration
     * was read (and validated) into {@code config}; this builds every hook as start-up does, then closes it.
     * Hooks that reach the network at start-up (jwt: its JWK set) only check their configuration unless
     * {@code fetch}. Throws what {@link #start} would throw for the same configuration.
     */
    public static void check(SwarmgateConfig config, boolean fetch) {
        ScheduledExecutorService scheduler = newScheduler();
        List<Hook> built = new ArrayList<>();
        try {
            HookServices services = new HookServices(InstantSource.system(), ThreadLocalRandom::current,
                    new SimpleMeterRegistry(), scheduler);
            HookRegistry registry = builtInHooks();
            hooks(config.prehooks(), registry, services, built, !fetch);
            hooks(config.posthooks(), registry, services, built, !fetch);
        } finally {
            built.forEach(Hook::close);
            scheduler.shutdownNow();
        }
    }

    /**
     * The hooks a configuration may name. Listed here, in the wiring, so that the hook SPI does not depend on
     * its plug-ins.
     */
    static HookRegistry builtInHooks() {
        return new HookRegistry(List.of(JwtHook.FACTORY, SubnetPreferenceHook.FACTORY, ClientApprovalHook.FACTORY,
                TorrentApprovalHook.FACTORY, IntervalVariationHook.FACTORY, AccountingHook.FACTORY));
    }

    private static ScheduledExecutorService newScheduler() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "swarmgate-background");
            t.setDaemon(true);
            return t;
        });
    }

    /** Builds the hooks of {@code specs} into {@code built}; with {@code checkOnly}, see {@link HookFactory#check}. */
    private static List<Hook> hooks(List<HookSpec> specs, HookRegistry registry, HookServices services,
                                    List<Hook> built, boolean checkOnly) {
        List<Hook> hooks = new ArrayList<>();
        for (HookSpec spec : specs) {
            HookFactory factory = registry.factory(spec.name(), spec.nameKey());
            if (checkOnly) {
                factory.check(spec.config(), services);
                continue;
            }
            Hook hook = factory.create(spec.config(), services);
            built.add(hook);
            hooks.add(hook);
        }
        return hooks;
    }

    private static List<OperatorRoutes> operatorRoutes(List<Hook> hooks) {
        List<OperatorRoutes> out = new ArrayList<>();
        for (Hook hook : hooks) {
            if (hook instanceof OperatorRoutes routes) {
                out.add(routes);
            }
        }
        return out;
    }

    private void startListeners(RequestMetrics requestMetrics, MeterRegistry meters, InstantSource clock,
                                List<OperatorRoutes> operatorRoutes) {
        try {
            expiry = PeerExpiry.start(store, config.storage().gcInterval(), scheduler, meters);
            if (config.http().enabled()) {
                http = HttpFrontend.start(config.http(), logic, requestMetrics, meters, config.shutdownGracePeriod());
                listeners.add(http);
            }
            if (config.udp().enabled()) {
                udp = new UdpFrontend(config.udp(), logic, requestMetrics, clock);
                listeners.add(udp);
                udp.start();
            }
            if (config.metrics().enabled()) {
                metricsServer = MetricsServer.start(config.metrics(), (PrometheusMeterRegistry) meters, readiness(),
                        operatorRoutes);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot listen on udp " + config.udp().host() + " port "
                    + config.udp().port() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Ready when listeners are up, the store answers and every hook is ready (e.g. a JWK set loaded). */
    private Readiness readiness() {
        return () -> {
            List<String> reasons = new ArrayList<>();
            if (closing) {
                reasons.add("shutting down");
                return reasons;
            }
            if (http != null && !http.isRunning()) {
                reasons.add("http listener not running");
            }
            String store = this.store.notReadyReason();
            if (!store.isEmpty()) {
                reasons.add(store);
            }
            reasons.addAll(logic.notReadyReasons());
            return reasons;
        };
    }

    public SwarmgateConfig config() {
        return config;
    }

    /** The bound HTTP port, or -1 when HTTP is disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The bound UDP port, or -1 when UDP is disabled. */
    public int udpPort() {
        return udp == null ? -1 : udp.port();
    }

    /** The bound metrics port, or -1 when metrics are disabled. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    TrackerLogic logic() {
        return logic;
    }

    PeerStore store() {
        return store;
    }

    /**
     * Reports "shutting down" on /health/ready, stops the listeners (no new requests), then hooks, background
     * work and the store, and the metrics listener last.
     */
    @Override
    public void close() {
        closing = true;
        for (int i = listeners.size() - 1; i >= 0; i--) {
            closeQuietly(listeners.get(i));
        }
        listeners.clear();
        logic.close();
        if (expiry != null) {
            expiry.close();
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        if (metricsServer != null) {
            closeQuietly(metricsServer);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing " + c.getClass().getSimpleName() + " failed: " + e);
        }
    }
}
