package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.storage.SwarmDetail;

/**
 * One info_hash's peers: separate IPv4 and IPv6 swarms (BEP 7), each as a seeder and a leecher entry array
 * ({@link PeerList}'s layout), plus the completed-download counter for scrape. Guarded by its shard's lock.
 *
 * <p>Built for a million swarms: the swarm is its own map key (it holds the info_hash, so the shard's table
 * needs no key or node objects), the IPv4 arrays and their sizes sit in this object (no list object per swarm),
 * and IPv6, which most swarms never see, costs one pointer until an IPv6 peer comes. 56 bytes with compressed
 * oops without the timeline, against 40 + 4 × 24 + 64 for the swarm, its four lists, the HashMap node and
 * InfoHash key before. The completion timeline ({@link SwarmDetail.Timeline}) adds six ints: 80 bytes in all,
 * a fixed cost per swarm and none per peer.
 * {@link PeerList} objects are views the shard binds to these arrays for the length of one step.
 */
final class Swarm {
    final long a;
    final long b;
    final int c;
    /** Completed downloads; saturates at Integer.MAX_VALUE rather than wrapping. */
    int downloads;
    private long[] seeders4 = PeerList.NONE;
    private long[] leechers4 = PeerList.NONE;
    private int seeders4Size;
    private int leechers4Size;
    private Ipv6 v6;
    /** Timeline, in the store's seconds: no object of its own, so it costs 24 bytes per swarm and none per peer. */
    static final int UNSET = Integer.MIN_VALUE;
    private final int firstAnnounce;
    private int leechersSeen;
    private int leechersCompleted;
    private int markHalf = UNSET;
    private int markNinety = UNSET;
    private int markAll = UNSET;

    /** The rarely used IPv6 half: created with the swarm's first IPv6 peer. */
    private static final class Ipv6 {
        long[] seeders = PeerList.NONE;
        long[] leechers = PeerList.NONE;
        int seedersSize;
        int leechersSize;
    }

    Swarm(InfoHash infoHash, int now) {
        this.a = infoHash.a();
        this.b = infoHash.b();
        this.c = infoHash.c();
        this.firstAnnounce = now;
    }

    boolean is(InfoHash h) {
        return a == h.a() && b == h.b() && c == h.c();
    }

    /** Spreads an info_hash over a table; all three parts count, so ids differing anywhere spread. */
    static int hash(long a, long b, int c) {
        long h = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL) ^ c;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    int hash() {
        return hash(a, b, c);
    }

    /** Binds {@code view} (of the right family) to the seeder or leecher entries; an empty list when none. */
    PeerList bind(boolean ipv6, boolean seeder, PeerList view) {
        if (!ipv6) {
            return seeder ? view.bind(seeders4, seeders4Size) : view.bind(leechers4, leechers4Size);
        }
        Ipv6 x = v6;
        if (x == null) {
            return view.bind(PeerList.NONE, 0);
        }
        return seeder ? view.bind(x.seeders, x.seedersSize) : view.bind(x.leechers, x.leechersSize);
    }

    /** Like {@link #bind}, but null when that list is empty (what peer selection expects). */
    PeerList bindNonEmpty(boolean ipv6, boolean seeder, PeerList view) {
        PeerList list = bind(ipv6, seeder, view);
        return list.isEmpty() ? null : list;
    }

    /** Writes back what a step changed in {@code view} (entries may have moved to a new array). */
    void store(boolean ipv6, boolean seeder, PeerList view) {
        if (!ipv6) {
            if (seeder) {
                seeders4 = view.data();
                seeders4Size = view.size();
            } else {
                leechers4 = view.data();
                leechers4Size = view.size();
            }
            return;
        }
        Ipv6 x = v6;
        if (x == null) {
            if (view.isEmpty()) {
                return;
            }
            x = v6 = new Ipv6();
        }
        if (seeder) {
            x.seeders = view.data();
            x.seedersSize = view.size();
        } else {
            x.leechers = view.data();
            x.leechersSize = view.size();
        }
        if (x.seedersSize == 0 && x.leechersSize == 0) {
            v6 = null; // the swarm's last IPv6 peer left
        }
    }

    void completed() {
        if (downloads < Integer.MAX_VALUE) {
            downloads++;
        }
    }

    /** A peer new to the swarm announced as a leecher. */
    void leecherJoined(int now) {
        if (leechersSeen < Integer.MAX_VALUE) {
            leechersSeen++;
        }
        marks(now);
    }

    /** A leecher became a seeder. */
    void leecherCompleted(int now) {
        if (leechersCompleted < Integer.MAX_VALUE) {
            leechersCompleted++;
        }
        marks(now);
    }

    private void marks(int now) {
        markHalf = (int) SwarmDetail.mark(markHalf, UNSET, SwarmDetail.MARKS[0], leechersSeen, leechersCompleted, now);
        markNinety = (int) SwarmDetail.mark(markNinety, UNSET, SwarmDetail.MARKS[1], leechersSeen, leechersCompleted,
                now);
        markAll = (int) SwarmDetail.mark(markAll, UNSET, SwarmDetail.MARKS[2], leechersSeen, leechersCompleted, now);
    }

    /** {first announce, seen, completed, 50%, 90%, 100%} in store seconds, marks {@link #UNSET} when not reached. */
    int[] timeline() {
        return new int[] {firstAnnounce, leechersSeen, leechersCompleted, markHalf, markNinety, markAll};
    }

    int seeders() {
        return seeders4Size + (v6 == null ? 0 : v6.seedersSize);
    }

    int leechers() {
        return leechers4Size + (v6 == null ? 0 : v6.leechersSize);
    }

    boolean isEmpty() {
        return seeders() == 0 && leechers() == 0;
    }

    /** Bytes held by this swarm's object and arrays (compressed-oops layout), for memory estimates. */
    long estimatedBytes() {
        long bytes = 80 + PeerList.arrayBytes(seeders4) + PeerList.arrayBytes(leechers4);
        if (v6 != null) {
            bytes += 32 + PeerList.arrayBytes(v6.seeders) + PeerList.arrayBytes(v6.leechers);
        }
        return bytes;
    }
}
