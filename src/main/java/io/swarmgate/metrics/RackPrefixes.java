package io.swarmgate.metrics;

import java.util.List;

/**
 * What a "rack" is for the operator's swarm view ({@link SwarmRoutes}): the prefix lengths of the nearest
 * locality tier per address family. The subnet-preference hook says so (its first tier); without that hook the
 * hook's defaults, /24 and /64, are used.
 */
public interface RackPrefixes {
    RackPrefixes DEFAULT = new RackPrefixes() {
        @Override
        public int ipv4RackPrefix() {
            return 24;
        }

        @Override
        public int ipv6RackPrefix() {
            return 64;
        }
    };

    int ipv4RackPrefix();

    int ipv6RackPrefix();

    /** The first of {@code components} that is a {@link RackPrefixes}, else {@link #DEFAULT}. */
    static RackPrefixes of(List<?> components) {
        for (Object c : components) {
            if (c instanceof RackPrefixes r) {
                return r;
            }
        }
        return DEFAULT;
    }
}
