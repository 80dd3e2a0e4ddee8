package io.swarmgate.hook.approval;

import io.helidon.config.Config;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.HookServices;

/** {@code name: torrent-approval}; see {@link TorrentApprovalConfig} for its keys. Use it as a prehook. */
public final class TorrentApprovalHookFactory implements HookFactory {
    public static final String NAME = "torrent-approval";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Hook create(Config config, HookServices services) {
        TorrentApprovalConfig c = TorrentApprovalConfig.create(config);
        return new TorrentApprovalHook(c, ApprovalMetrics.rejected(services.meters(), NAME), services.scheduler(),
                config.key() + ".file");
    }
}
