package io.swarmgate.logic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.storage.AnnounceResult;

/**
 * {@code swarmgate_handout_peers_total{tier="0"|"1"|...|"other"}}: peers handed out, by the locality tier they
 * came from as the announce's preference saw them ("0" is the announcer's rack). Peers of an announce without a
 * preference, and those beyond the last tier, are "other". The same-rack share of a rollout is
 * {@code tier="0"} over the sum. Counters are made once for {@link #MAX_TIERS} tiers, so counting allocates
 * nothing; deeper tiers (only a topology map could have them) count as the last one.
 */
final class HandoutCounter {
    static final String NAME = "swarmgate.handout.peers";
    static final int MAX_TIERS = 8;

    private final Counter[] tiers = new Counter[MAX_TIERS];
    private final Counter other;

    HandoutCounter(MeterRegistry registry) {
        for (int k = 0; k < MAX_TIERS; k++) {
            tiers[k] = counter(registry, String.valueOf(k));
        }
        other = counter(registry, "other");
    }

    private static Counter counter(MeterRegistry registry, String tier) {
        return Counter.builder(NAME).tag("tier", tier)
                .description("Peers handed out in announce answers, by locality tier (0 = the announcer's rack)")
                .register(registry);
    }

    void record(AnnounceResult result) {
        int split = result.peersByTier().length;
        if (split == 0) {
            if (result.peers() > 0) {
                other.increment(result.peers());
            }
            return;
        }
        for (int k = 0; k < split - 1; k++) {
            int n = result.peersInTier(k);
            if (n > 0) {
                tiers[Math.min(k, MAX_TIERS - 1)].increment(n);
            }
        }
        int rest = result.peersInTier(split - 1);
        if (rest > 0) {
            other.increment(rest);
        }
    }
}
