package io.swarmgate.hook.subnet;

import io.helidon.config.Config;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigReader;
import io.swarmgate.bittorrent.PeerPreference;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code config:} of {@code subnet-preference}: locality tiers per address family as prefix lengths, nearest
 * (longest) first, and the bridge rule that bounds how many peers an announcer gets from beyond its rack (see
 * {@link io.swarmgate.bittorrent.PeerPreference}). An absent key takes the default; an explicit empty list means
 * no preference for that family (a random selection, as without the hook).
 * <p>{@code topology} (entries of the {@link TopologyMap}) and {@code topology-file} (a YAML file holding a
 * {@code topology:} list, checked for changes every {@code topology-reload-interval}) place networks at paths;
 * an announcer one of them places gets the path's tiers, everyone else the prefix tiers. {@code topologyFile} is
 * null when none is set.
 */
record SubnetPreferenceConfig(List<Integer> ipv4Prefixes, List<Integer> ipv6Prefixes, int rackQuorum,
                              int bridgePeers, int seededRackBridges, List<TopologyMap.Entry> topology,
                              Path topologyFile, Duration topologyReloadInterval) {

    static final SubnetPreferenceConfig DEFAULTS = new SubnetPreferenceConfig(List.of(24, 16), List.of(64, 48), 2, 2,
            0, List.of(), null, Duration.ofSeconds(5));
    /** Upper bounds: a rack "quorum" beyond a few dozen, or more bridges than that, is the rule turned off. */
    static final int MAX_RACK_QUORUM = 1000;
    static final int MAX_BRIDGE_PEERS = 1000;

    SubnetPreferenceConfig {
        ipv4Prefixes = checkTiers(ipv4Prefixes, 32, "ipv4-prefixes");
        ipv6Prefixes = checkTiers(ipv6Prefixes, 128, "ipv6-prefixes");
        topology = List.copyOf(topology);
    }

    static SubnetPreferenceConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, node.key().toString());
        List<Integer> v4 = checkTiers(r.integers("ipv4-prefixes", DEFAULTS.ipv4Prefixes, 1, 32), 32,
                r.key("ipv4-prefixes"));
        List<Integer> v6 = checkTiers(r.integers("ipv6-prefixes", DEFAULTS.ipv6Prefixes, 1, 128), 128,
                r.key("ipv6-prefixes"));
        int quorum = r.integer("rack-quorum", DEFAULTS.rackQuorum, 0, MAX_RACK_QUORUM);
        int bridges = r.integer("bridge-peers", DEFAULTS.bridgePeers, 0, MAX_BRIDGE_PEERS);
        int seededBridges = r.integer("seeded-rack-bridges", DEFAULTS.seededRackBridges, 0, MAX_BRIDGE_PEERS);
        List<TopologyMap.Entry> topology;
        try {
            topology = TopologyMap.parse(r.node("topology"), r.key("topology"), "entry");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(r.key("topology"), e.getMessage());
        }
        String file = r.string("topology-file", "").strip();
        Duration reload = r.duration("topology-reload-interval", DEFAULTS.topologyReloadInterval);
        r.finish();
        return new SubnetPreferenceConfig(v4, v6, quorum, bridges, seededBridges, topology,
                file.isEmpty() ? null : Path.of(file), reload);
    }

    /** The bridge rule of these settings applied to {@code tiers}. */
    PeerPreference bridged(PeerPreference tiers) {
        return tiers.withBridges(rackQuorum, bridgePeers, seededRackBridges);
    }

    /**
     * Tiers must be strictly decreasing: the store fills from the first tier first, so a wider prefix before a
     * narrower one (or a repeat) would make a later tier unreachable, which is a mistake worth refusing.
     */
    private static List<Integer> checkTiers(List<Integer> prefixes, int bits, String key) {
        List<Integer> copy = List.copyOf(prefixes);
        for (int i = 0; i < copy.size(); i++) {
            int p = copy.get(i);
            if (p < 1 || p > bits) {
                throw new ConfigException(key, "prefix lengths must be between 1 and " + bits + ", got " + p);
            }
            if (i > 0 && p >= copy.get(i - 1)) {
                throw new ConfigException(key, "prefix lengths must be strictly decreasing, nearest tier first"
                        + " (e.g. [24, 16]), got " + copy);
            }
        }
        return copy;
    }
}
