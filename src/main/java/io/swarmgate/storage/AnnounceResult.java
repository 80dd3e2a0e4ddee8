package io.swarmgate.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one {@link PeerStore#announce} step answers besides the peers it gave the sink: the swarm's counts after
 * the change (both address families, the announcer included) and how many peers went to the sink.
 * {@code peersByTier}, when the announce had a preference, splits {@code peers} by locality tier: one slot per
 * tier of the preference, nearest first, and a last one for everyone else. Empty means "not split": all of them
 * count as everyone else.
 */
public record AnnounceResult(int complete, int incomplete, int peers, int[] peersByTier) {
    private static final int[] NOT_SPLIT = new int[0];

    public AnnounceResult(int complete, int incomplete, int peers) {
        this(complete, incomplete, peers, NOT_SPLIT);
    }

    public AnnounceResult {
        if (peersByTier == null) {
            peersByTier = NOT_SPLIT;
        }
    }

    /** The peers handed out from tier {@code k} (the last slot is everyone else); 0 beyond the split. */
    public int peersInTier(int k) {
        return k < peersByTier.length ? peersByTier[k] : 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnnounceResult r && complete == r.complete && incomplete == r.incomplete
                && peers == r.peers && Arrays.equals(peersByTier, r.peersByTier);
    }

    @Override
    public int hashCode() {
        return Objects.hash(complete, incomplete, peers, Arrays.hashCode(peersByTier));
    }

    @Override
    public String toString() {
        return "AnnounceResult[complete=" + complete + ", incomplete=" + incomplete + ", peers=" + peers
                + ", peersByTier=" + Arrays.toString(peersByTier) + "]";
    }
}
