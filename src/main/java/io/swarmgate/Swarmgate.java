package io.swarmgate;

import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.config.HookSpec;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.frontend.http.HttpFrontend;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookRegistry;
import io.swarmgate.hook.HookServices;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.memory.MemoryPeerStore;

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
    private HttpFrontend http;

    private Swarmgate(SwarmgateConfig config, ScheduledExecutorService scheduler, PeerStore store,
                      TrackerLogic logic) {
        this.config = config;
        this.scheduler = scheduler;
        this.store = store;
        this.logic = logic;
    }

    /**
     * Starts everything the configuration enables. On failure, whatever was started is closed again and the
     * exception propagates (a {@link io.swarmgate.config.ConfigException} names the offending key).
     */
    public static Swarmgate start(SwarmgateConfig config, MeterRegistry meters, InstantSource clock) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "swarmgate-background");
            t.setDaemon(true);
            return t;
        });
        List<Hook> built = new ArrayList<>();
        PeerStore store = null;
        try {
            store = new MemoryPeerStore(config.storage().peerLifetime(), clock, ThreadLocalRandom::current);
            HookServices services = new HookServices(clock, ThreadLocalRandom::current, meters, scheduler);
            HookRegistry registry = HookRegistry.builtIn();
            List<Hook> pre = hooks(config.prehooks(), registry, services, built);
            List<Hook> post = hooks(config.posthooks(), registry, services, built);
            TrackerLogic logic = new TrackerLogic(config.tracker(), store, pre, post);
            Swarmgate tracker = new Swarmgate(config, scheduler, store, logic);
            tracker.startListeners(new RequestMetrics(meters));
            tracker.scheduleGarbageCollection();
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

    private static List<Hook> hooks(List<HookSpec> specs, HookRegistry registry, HookServices services,
                                    List<Hook> built) {
        List<Hook> hooks = new ArrayList<>();
        for (HookSpec spec : specs) {
            try {
                Hook hook = registry.factory(spec.name(), spec.key().replaceAll("\\.config$", ".name"))
                        .create(spec.config(), services);
                built.add(hook);
                hooks.add(hook);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("hook " + spec.name() + " (" + spec.key() + ") failed to start: "
                        + e.getMessage(), e);
            }
        }
        return hooks;
    }

    private void startListeners(RequestMetrics requestMetrics) {
        try {
            if (config.http().enabled()) {
                http = HttpFrontend.start(config.http(), logic, requestMetrics);
                listeners.add(http);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void scheduleGarbageCollection() {
        long every = config.storage().gcInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                store.collectGarbage();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "peer expiry failed", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    public SwarmgateConfig config() {
        return config;
    }

    /** The bound HTTP port, or -1 when HTTP is disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    TrackerLogic logic() {
        return logic;
    }

    PeerStore store() {
        return store;
    }

    /** Stops listeners first (no new requests), then hooks, background work and the store. */
    @Override
    public void close() {
        for (int i = listeners.size() - 1; i >= 0; i--) {
            try {
                listeners.get(i).close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing " + listeners.get(i).getClass().getSimpleName() + " failed: " + e);
            }
        }
        listeners.clear();
        logic.close();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
