package io.swarmgate.hook.subnet;

import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;

import java.util.List;

/**
 * Sets the announce's {@link PeerPreference} to the tiers of the announcer's address family. Peers of the
 * other family are never returned anyway (BEP 7 swarms are per family), so one list per family is all the
 * store needs. Both preferences are built once: the request path allocates nothing.
 */
public final class SubnetPreferenceHook implements Hook {
    /** {@code name: subnet-preference}; see {@link SubnetPreferenceConfig} for its keys. Use it as a prehook. */
    public static final HookFactory FACTORY = HookFactory.of("subnet-preference",
            (config, services) -> new SubnetPreferenceHook(SubnetPreferenceConfig.create(config)));

    private final PeerPreference ipv4;
    private final PeerPreference ipv6;

    SubnetPreferenceHook(SubnetPreferenceConfig config) {
        this.ipv4 = preference(config.ipv4Prefixes(), config);
        this.ipv6 = preference(config.ipv6Prefixes(), config);
    }

    private static PeerPreference preference(List<Integer> prefixes, SubnetPreferenceConfig config) {
        return prefixes.isEmpty() ? PeerPreference.NONE
                : new PeerPreference(prefixes, config.rackQuorum(), config.bridgePeers());
    }

    @Override
    public void announce(AnnounceContext ctx) {
        ctx.preference(ctx.request().peer().ip().isIpv4() ? ipv4 : ipv6);
    }
}
