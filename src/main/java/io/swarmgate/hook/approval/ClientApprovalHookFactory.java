package io.swarmgate.hook.approval;

import io.helidon.config.Config;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.HookServices;

/** {@code name: client-approval}; see {@link ClientApprovalConfig} for its keys. Use it as a prehook. */
public final class ClientApprovalHookFactory implements HookFactory {
    public static final String NAME = "client-approval";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Hook create(Config config, HookServices services) {
        return new ClientApprovalHook(ClientApprovalConfig.create(config),
                ApprovalMetrics.rejected(services.meters(), NAME));
    }
}
