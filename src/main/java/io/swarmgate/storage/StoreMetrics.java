package io.swarmgate.storage;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.bittorrent.AddressFamily;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * Swarm size gauges read from {@link PeerStore#totals()}: {@code swarmgate_swarms}, and
 * {@code swarmgate_seeders} and {@code swarmgate_leechers} by {@code address_family}.
 *
 * <p>One scrape reads five gauges, but a store may count by walking every swarm or by asking a remote server,
 * so the totals are read once and reused for {@link #MAX_AGE} (on the registry's clock). When the store fails,
 * the gauges read NaN (Prometheus shows a gap rather than a stale number) and the failure is logged once, not
 * once per scrape; recovery is logged too.
 */
public final class StoreMetrics {
    private static final Logger LOG = System.getLogger(StoreMetrics.class.getName());
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final PeerStore store;
    private final Clock clock;
    private StoreTotals cached;
    private long cachedAt;
    private boolean failing;

    private StoreMetrics(PeerStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Registers the swarm gauges for {@code store}; they live as long as the registry. */
    public static StoreMetrics bind(PeerStore store, MeterRegistry registry) {
        StoreMetrics m = new StoreMetrics(store, registry.config().clock());
        m.gauge(registry, "swarmgate.swarms", "Swarms (torrents with at least one peer)", null, StoreTotals::swarms);
        m.gauge(registry, "swarmgate.seeders", "Seeders across all swarms", AddressFamily.IPV4, StoreTotals::seeders4);
        m.gauge(registry, "swarmgate.seeders", "Seeders across all swarms", AddressFamily.IPV6, StoreTotals::seeders6);
        m.gauge(registry, "swarmgate.leechers", "Leechers across all swarms", AddressFamily.IPV4, StoreTotals::leechers4);
        m.gauge(registry, "swarmgate.leechers", "Leechers across all swarms", AddressFamily.IPV6, StoreTotals::leechers6);
        return m;
    }

    private void gauge(MeterRegistry registry, String name, String description, AddressFamily family,
                       ToDoubleFunction<StoreTotals> value) {
        Gauge.Builder<StoreMetrics> b = Gauge.builder(name, this, m -> {
                    StoreTotals t = m.totals();
                    return t == null ? Double.NaN : value.applyAsDouble(t);
                })
                .description(description);
        if (family != null) {
            b.tag("address_family", family.label());
        }
        b.strongReference(true).register(registry);
    }

    /** The store's totals, at most {@link #MAX_AGE} old; null while the store fails. */
    synchronized StoreTotals totals() {
        long now = clock.monotonicTime();
        if (cached != null && now - cachedAt < MAX_AGE.toNanos()) {
            return cached;
        }
        try {
            cached = store.totals();
            cachedAt = now;
            if (failing) {
                failing = false;
                LOG.log(Level.INFO, "peer store totals readable again");
            }
            return cached;
        } catch (RuntimeException e) {
            cached = null;
            if (!failing) {
                failing = true;
                LOG.log(Level.WARNING, "peer store totals failed; swarm gauges read NaN until it recovers", e);
            }
            return null;
        }
    }
}
