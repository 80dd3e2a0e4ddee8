package io.swarmgate.bittorrent;

import java.util.List;

/**
 * Which peers an announcer should get first: locality tiers as prefix lengths of its own address family,
 * nearest first (for example {@code [24, 16]}: same /24, then same /16, then anyone). Empty means no
 * preference: a uniformly random selection.
 */
public record PeerPreference(List<Integer> prefixes) {
    public static final PeerPreference NONE = new PeerPreference(List.of());

    public PeerPreference {
        prefixes = List.copyOf(prefixes);
    }

    public boolean isNone() {
        return prefixes.isEmpty();
    }
}
