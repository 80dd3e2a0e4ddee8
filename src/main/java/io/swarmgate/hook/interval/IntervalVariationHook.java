package io.swarmgate.hook.interval;

import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;

import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * With probability {@code p}, adds a uniformly random 1..max-increase seconds to the interval (and, when
 * configured, the same amount to the minimum interval, which keeps the gap between the two). Only ever
 * lengthens: a shorter interval would add load, which is what the variation is meant to spread.
 */
public final class IntervalVariationHook implements Hook {
    /** {@code name: interval-variation}; see {@link IntervalVariationConfig} for its keys. Use it as a prehook. */
    public static final HookFactory FACTORY = HookFactory.of("interval-variation",
            (config, services) -> new IntervalVariationHook(IntervalVariationConfig.create(config), services.random()));

    private final IntervalVariationConfig config;
    private final Supplier<RandomGenerator> random;

    IntervalVariationHook(IntervalVariationConfig config, Supplier<RandomGenerator> random) {
        this.config = config;
        this.random = random;
    }

    @Override
    public void announce(AnnounceContext ctx) {
        double p = config.probability();
        if (p <= 0) {
            return;
        }
        RandomGenerator rng = random.get();
        if (p < 1 && rng.nextDouble() >= p) {
            return;
        }
        int increase = 1 + rng.nextInt(config.maxIncreaseSeconds());
        ctx.interval(saturatedAdd(ctx.interval(), increase));
        if (config.modifyMinInterval()) {
            ctx.minInterval(saturatedAdd(ctx.minInterval(), increase));
        }
    }

    private static int saturatedAdd(int a, int b) {
        long sum = (long) a + b;
        return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
    }
}
