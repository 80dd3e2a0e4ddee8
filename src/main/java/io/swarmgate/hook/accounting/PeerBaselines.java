package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Each peer's running totals as of its previous announce in a swarm, so that an announce can be turned into a
 * delta. A client reports {@code uploaded}/{@code downloaded} as totals since it sent {@code started} (BEP 3);
 * a restarted client starts again from 0. The rules:
 * <ul>
 *   <li>{@code started}: the session begins at 0, so the whole reported total is new;</li>
 *   <li>either total below the previous one: the client restarted without telling us (its {@code started} was
 *   lost), so the reported totals are new; a delta is never negative;</li>
 *   <li>otherwise: reported minus previous;</li>
 *   <li>a peer we have no previous totals for and that does not say {@code started} (this tracker restarted,
 *   the entry expired, a load balancer moved the peer here) only sets its baseline: counting its whole session
 *   again would count what another instance, or this one before a restart, already counted.</li>
 * </ul>
 * {@code completed} counts once per session: a retransmitted or repeated {@code completed} is not a second
 * download. {@code stopped} takes the final delta and forgets the peer.
 *
 * <p>Entries live exactly as long as the store keeps the peer ({@code storage.peer-lifetime} without an
 * announce, removed by {@link #expire}), so memory is bounded by the number of live peers: one
 * {@link ConcurrentHashMap} node (32 bytes), a {@link Key} of both 20-byte ids packed into primitives (56 bytes)
 * and an {@link Entry} (40 bytes) plus the table slot: about 136 bytes per peer with compressed oops (measured
 * with JOL: see the README's accounting section).
 */
final class PeerBaselines {
    private final ConcurrentHashMap<Key, Entry> peers = new ConcurrentHashMap<>();
    private final long lifetimeMs;

    PeerBaselines(long lifetimeMs) {
        this.lifetimeMs = lifetimeMs;
    }

    /** What one announce adds. */
    record Delta(long uploaded, long downloaded, boolean completed) {
    }

    private record Key(long h0, long h1, int h2, long p0, long p1, int p2) {
        static Key of(InfoHash h, PeerId p) {
            return new Key(h.a(), h.b(), h.c(), p.a(), p.b(), p.c());
        }
    }

    private static final class Entry {
        long uploaded;
        long downloaded;
        long seenMs;
        boolean completed;
    }

    /** Records this announce's totals and returns what they add since the peer's previous announce. */
    Delta apply(AnnounceRequest request, long nowMs) {
        Delta[] out = new Delta[1];
        Event event = request.event();
        peers.compute(Key.of(request.infoHash(), request.peer().id()), (k, e) -> {
            long up = request.uploaded();
            long down = request.downloaded();
            boolean completedBefore;
            if (e == null) {
                e = new Entry();
                if (event == Event.STARTED) {
                    out[0] = new Delta(up, down, false);
                } else {
                    out[0] = new Delta(0, 0, false);
                }
                completedBefore = false;
            } else {
                boolean restarted = event == Event.STARTED || up < e.uploaded || down < e.downloaded;
                out[0] = new Delta(restarted ? up : up - e.uploaded, restarted ? down : down - e.downloaded, false);
                completedBefore = e.completed && !restarted;
            }
            boolean countCompleted = event == Event.COMPLETED && !completedBefore;
            if (countCompleted) {
                out[0] = new Delta(out[0].uploaded, out[0].downloaded, true);
            }
            if (event == Event.STOPPED) {
                return null;
            }
            e.uploaded = up;
            e.downloaded = down;
            e.seenMs = nowMs;
            e.completed = completedBefore || countCompleted;
            return e;
        });
        return out[0];
    }

    /** Forgets peers that have not announced for the peer lifetime, as the store does. */
    int expire(long nowMs) {
        long cutoff = nowMs - lifetimeMs;
        int removed = 0;
        for (Key k : peers.keySet()) {
            boolean[] gone = new boolean[1];
            peers.computeIfPresent(k, (key, e) -> {
                if (e.seenMs < cutoff) {
                    gone[0] = true;
                    return null;
                }
                return e;
            });
            if (gone[0]) {
                removed++;
            }
        }
        return removed;
    }

    int size() {
        return peers.size();
    }
}
