package io.swarmgate.hook.subnet;

import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.metrics.RackPrefixes;

import java.util.List;

/**
 * Sets the announce's {@link PeerPreference} to the tiers of the announcer's address family. Peers of the
 * other family are never returned anyway (BEP 7 swarms are per family), so one list per family is all the
 * store needs. Both preferences are built once: the request path allocates nothing. Its first tiers are also
 * what the operator's swarm view ({@code GET /swarms/<hex>}) groups peers by.
 */
final class SubnetPreferenceHook implements Hook, RackPrefixes {
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

    /** The first IPv4 tier, or /24 (the default) when IPv4 has no preference. */
    @Override
    public int ipv4RackPrefix() {
        return ipv4.isNone() ? RackPrefixes.DEFAULT.ipv4RackPrefix() : ipv4.prefixes().getFirst();
    }

    /** The first IPv6 tier, or /64 (the default) when IPv6 has no preference. */
    @Override
    public int ipv6RackPrefix() {
        return ipv6.isNone() ? RackPrefixes.DEFAULT.ipv6RackPrefix() : ipv6.prefixes().getFirst();
    }

    @Override
    public void announce(AnnounceContext ctx) {
        ctx.preference(ctx.request().peer().ip().isIpv4() ? ipv4 : ipv6);
    }
}
