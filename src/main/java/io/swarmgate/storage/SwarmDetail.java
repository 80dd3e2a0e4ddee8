package io.swarmgate.storage;

import io.swarmgate.bittorrent.IpAddress;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One swarm as an operator sees it during a rollout ({@link PeerStore#detail}): its counts, its peers grouped
 * by rack, and its completion timeline. Read on the operator's listener, never on the announce path.
 *
 * @param groups          racks (the {@code /prefix} network of each peer, IPv4 racks first, each family in address
 *                        order), at most the number asked for
 * @param groupsTruncated whether the swarm has more racks than {@code groups} lists
 */
public record SwarmDetail(int seeders, int leechers, long downloaded, List<Group> groups, boolean groupsTruncated,
                          Timeline timeline) {

    public SwarmDetail {
        groups = List.copyOf(groups);
    }

    /** The peers of one rack: {@code network/prefix}. */
    public record Group(IpAddress network, int prefix, int seeders, int leechers) {
    }

    /**
     * When the swarm's leechers completed. A leecher is <em>seen</em> when a peer new to the swarm announces as a
     * leecher, and has <em>completed</em> when a peer moves from the leechers to the seeders (event=completed or
     * left=0). Each mark is the time at which completed / seen last reached its fraction (1/2, 9/10, all); a
     * leecher seen later that pulls the fraction under it again clears the mark, so a mark says "all the
     * leechers seen so far had completed by then". A leecher that leaves or expires without completing still
     * counts as seen: its rollout did not complete. All of it is forgotten with the swarm (when its last peer
     * has gone and the next expiry pass drops it).
     *
     * @param firstAnnounce the first announce of the swarm's first peer (whole seconds)
     */
    public record Timeline(Instant firstAnnounce, long leechersSeen, long leechersCompleted,
                           Optional<Instant> half, Optional<Instant> ninetyPercent, Optional<Instant> all) {
    }

    /**
     * The timeline rule, in one place (the Redis store's {@code timeline.lua} ports it): after {@code seen} or
     * {@code completed} changed at {@code now}, a mark for {@code percent} is {@code now} when it was unset and is
     * reached, stays when it was set and is still reached, and becomes {@code unset} when it is no longer reached.
     */
    public static long mark(long mark, long unset, int percent, long seen, long completed, long now) {
        boolean reached = seen > 0 && completed * 100 >= percent * seen;
        if (!reached) {
            return unset;
        }
        return mark == unset ? now : mark;
    }

    /** The marks' fractions, in percent. */
    public static final int[] MARKS = {50, 90, 100};
}
