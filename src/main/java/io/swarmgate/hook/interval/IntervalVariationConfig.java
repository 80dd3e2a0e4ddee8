package io.swarmgate.hook.interval;

import io.helidon.config.Config;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigReader;

import java.time.Duration;

/**
 * {@code config:} of {@code interval-variation}: the fraction of announces whose interval grows
 * ({@code probability}, 0 to 1), the largest increase ({@code max-increase}, whole seconds, 1s to 1h), and
 * whether the minimum interval grows by the same amount ({@code modify-min-interval}).
 */
record IntervalVariationConfig(double probability, int maxIncreaseSeconds, boolean modifyMinInterval) {
    static final IntervalVariationConfig DEFAULTS = new IntervalVariationConfig(0.2, 60, false);
    static final int MAX_INCREASE_LIMIT = 3600;

    IntervalVariationConfig {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be between 0 and 1, got " + probability);
        }
        if (maxIncreaseSeconds < 1 || maxIncreaseSeconds > MAX_INCREASE_LIMIT) {
            throw new IllegalArgumentException("max increase must be 1 to " + MAX_INCREASE_LIMIT + " seconds");
        }
    }

    static IntervalVariationConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, node.key().toString());
        double probability = r.number("probability", DEFAULTS.probability, 0, 1);
        Duration max = r.duration("max-increase", Duration.ofSeconds(DEFAULTS.maxIncreaseSeconds));
        boolean modifyMin = r.bool("modify-min-interval", DEFAULTS.modifyMinInterval);
        r.finish();
        // intervals are whole seconds on the wire (BEP 3, BEP 15), so a fraction could never be applied
        if (max.toNanos() % 1_000_000_000L != 0 || max.toSeconds() < 1 || max.toSeconds() > MAX_INCREASE_LIMIT) {
            throw new ConfigException(r.key("max-increase"), "must be whole seconds from 1s to "
                    + MAX_INCREASE_LIMIT / 60 + "m, got " + max.toMillis() + "ms");
        }
        return new IntervalVariationConfig(probability, (int) max.toSeconds(), modifyMin);
    }
}
