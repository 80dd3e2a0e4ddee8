package io.swarmgate.hook.subnet;

import io.helidon.config.Config;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.HookServices;

/** {@code name: subnet-preference}; see {@link SubnetPreferenceConfig} for its keys. Use it as a prehook. */
public final class SubnetPreferenceHookFactory implements HookFactory {
    public static final String NAME = "subnet-preference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Hook create(Config config, HookServices services) {
        return new SubnetPreferenceHook(SubnetPreferenceConfig.create(config), services.scheduler(),
                config.key().toString());
    }
}
