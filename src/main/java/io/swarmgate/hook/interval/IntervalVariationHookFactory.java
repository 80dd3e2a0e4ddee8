package io.swarmgate.hook.interval;

import io.helidon.config.Config;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.HookServices;

/** {@code name: interval-variation}; see {@link IntervalVariationConfig} for its keys. Use it as a prehook. */
public final class IntervalVariationHookFactory implements HookFactory {
    public static final String NAME = "interval-variation";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Hook create(Config config, HookServices services) {
        return new IntervalVariationHook(IntervalVariationConfig.create(config), services.random());
    }
}
