package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.storage.SwarmDetail;

/**
 * One info_hash's peers: separate IPv4 and IPv6 swarms (BEP 7), each as a seeder and a leecher entry array
 * ({@link PeerList}'s layout), plus the completed-download counter for scrape and the completion timeline
 * ({@link SwarmDetail.Timeline}). Guarded by its shard's lock.
 *
 * <p>Built for a million swarms, most of them one or two peers: the swarm is its own map key (it holds the
 * info_hash, so the shard's table needs no key or node objects), the IPv4 arrays and their sizes sit in this
 * object (no list object per swarm), and what most small swarms never need lives in one {@link History} object
 * made the first time the swarm needs it: 56 bytes with compressed oops (the object is full: any further field
 * would cost 8), against 40 + 4 × 24 + 64 for the swarm, its four lists, the HashMap node and InfoHash key before.
 * {@link PeerList} objects are views the shard binds to these arrays for the length of one step.
 */
final class Swarm {
    final long a;
    final long b;
    final int c;
    private long[] seeders4 = PeerList.NONE;
    private long[] leechers4 = PeerList.NONE;
    private int seeders4Size;
    private int leechers4Size;
    /** In store seconds; the one part of the timeline every swarm has. */
    private final int firstAnnounce;
    /** Null while {@link History} says how the swarm's state implies it. */
    private History history;

    /** A timeline mark not reached. */
    static final int UNSET = Integer.MIN_VALUE;

    /**
     * What a swarm keeps beyond its IPv4 peers: its IPv6 peers, completed downloads and the timeline's counts and
     * marks (store seconds). Until it exists, the swarm has had no IPv6 peer, no download and no completion, and
     * every leecher seen is still a leecher ({@code leechersSeen == leechers4Size}, nothing completed, no mark):
     * a leecher leaving, expiring, completing or a seeder turning leecher makes it, with the counts those
     * imply. 56 bytes, made by most swarms that live long enough for peers to come and go, and by none of a
     * million one-peer swarms.
     */
    private static final class History {
        long[] seeders6 = PeerList.NONE;
        long[] leechers6 = PeerList.NONE;
        int seeders6Size;
        int leechers6Size;
        /** Completed downloads; saturates at Integer.MAX_VALUE rather than wrapping. */
        int downloads;
        int leechersSeen;
        int leechersCompleted;
        int markHalf = UNSET;
        int markNinety = UNSET;
        int markAll = UNSET;

        History(int leechersSeen) {
            this.leechersSeen = leechersSeen;
        }
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

    /** The history, made with the counts the swarm's state implies when there was none. */
    private History history() {
        History h = history;
        if (h == null) {
            h = history = new History(leechers4Size);
        }
        return h;
    }

    /** Binds {@code view} (of the right family) to the seeder or leecher entries; an empty list when none. */
    PeerList bind(boolean ipv6, boolean seeder, PeerList view) {
        if (!ipv6) {
            return seeder ? view.bind(seeders4, seeders4Size) : view.bind(leechers4, leechers4Size);
        }
        History h = history;
        if (h == null) {
            return view.bind(PeerList.NONE, 0);
        }
        return seeder ? view.bind(h.seeders6, h.seeders6Size) : view.bind(h.leechers6, h.leechers6Size);
    }

    /** Like {@link #bind}, but null when that list is empty (what peer selection expects). */
    PeerList bindNonEmpty(boolean ipv6, boolean seeder, PeerList view) {
        PeerList list = bind(ipv6, seeder, view);
        return list.isEmpty() ? null : list;
    }

    /**
     * Writes back what a step changed in {@code view} (entries may have moved to a new array): a removal, or
     * through {@link #added} an insertion.
     */
    void store(boolean ipv6, boolean seeder, PeerList view) {
        if (!ipv6) {
            if (seeder) {
                seeders4 = view.data();
                seeders4Size = view.size();
            } else {
                if (view.size() < leechers4Size) {
                    history(); // a leecher left: still seen, no longer in the list
                }
                leechers4 = view.data();
                leechers4Size = view.size();
            }
            return;
        }
        if (history == null && view.isEmpty()) {
            return;
        }
        History h = history();
        if (seeder) {
            h.seeders6 = view.data();
            h.seeders6Size = view.size();
        } else {
            h.leechers6 = view.data();
            h.leechers6Size = view.size();
        }
    }

    /**
     * Writes back a list that gained a peer, new to the swarm or {@code moved} from its other list, and counts
     * it in the timeline: a new leecher is seen, a leecher turned seeder has completed, a seeder turned leecher
     * is neither.
     */
    void added(boolean ipv6, boolean seeder, boolean moved, PeerList view, int now) {
        if (!seeder && moved) {
            history(); // before the store: the returning leecher was seen once already
        }
        store(ipv6, seeder, view);
        if (seeder && moved) {
            History h = history();
            if (h.leechersCompleted < Integer.MAX_VALUE) {
                h.leechersCompleted++;
            }
            marks(h, now);
        } else if (!seeder && !moved && history != null) { // without a history, the list's growth counted it
            History h = history;
            if (h.leechersSeen < Integer.MAX_VALUE) {
                h.leechersSeen++;
            }
            marks(h, now);
        }
    }

    private static void marks(History h, int now) {
        h.markHalf = (int) SwarmDetail.mark(h.markHalf, UNSET, SwarmDetail.MARKS[0], h.leechersSeen,
                h.leechersCompleted, now);
        h.markNinety = (int) SwarmDetail.mark(h.markNinety, UNSET, SwarmDetail.MARKS[1], h.leechersSeen,
                h.leechersCompleted, now);
        h.markAll = (int) SwarmDetail.mark(h.markAll, UNSET, SwarmDetail.MARKS[2], h.leechersSeen,
                h.leechersCompleted, now);
    }

    /** A download completed (event=completed). */
    void completed() {
        History h = history();
        if (h.downloads < Integer.MAX_VALUE) {
            h.downloads++;
        }
    }

    /** Completed downloads, for scrape. */
    int downloads() {
        return history == null ? 0 : history.downloads;
    }

    /** {first announce, seen, completed, 50%, 90%, 100%} in store seconds, marks {@link #UNSET} when not reached. */
    int[] timeline() {
        History h = history;
        if (h == null) {
            return new int[] {firstAnnounce, leechers4Size, 0, UNSET, UNSET, UNSET};
        }
        return new int[] {firstAnnounce, h.leechersSeen, h.leechersCompleted, h.markHalf, h.markNinety, h.markAll};
    }

    int seeders() {
        return seeders4Size + (history == null ? 0 : history.seeders6Size);
    }

    int leechers() {
        return leechers4Size + (history == null ? 0 : history.leechers6Size);
    }

    boolean isEmpty() {
        return seeders() == 0 && leechers() == 0;
    }

    /** Bytes held by this swarm's objects and arrays (compressed-oops layout), for memory estimates. */
    long estimatedBytes() {
        long bytes = 56 + PeerList.arrayBytes(seeders4) + PeerList.arrayBytes(leechers4);
        if (history != null) {
            bytes += 56 + PeerList.arrayBytes(history.seeders6) + PeerList.arrayBytes(history.leechers6);
        }
        return bytes;
    }
}
