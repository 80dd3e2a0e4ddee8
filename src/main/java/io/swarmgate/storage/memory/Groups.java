package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerId;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One swarm's group sub-indexes ({@link io.swarmgate.bittorrent.PeerPreference#groups}): per group key the
 * swarm's peers that announced with it, as {@link PeerList} entries (seeders and leechers per family, copies of
 * the swarm's own entries, last-seen included), and per such peer the keys it is indexed under, so it can be
 * taken out of them when it stops, changes its keys (the topology changed) or announces without any. The store
 * never interprets the keys: group k of an announcer is simply the peers indexed under its k-th key.
 * <p>Made only for a swarm that has a peer with groups; guarded by the shard's lock. A grouped peer costs one
 * entry per key on top of its entry in the swarm, plus one map entry.
 */
final class Groups {
    /** A peer's identity in a swarm: address and port. */
    private record Member(boolean ipv6, long hi, long lo, int port) {
    }

    /** The four entry arrays of one group, laid out as in {@link Swarm}: s4, l4, s6, l6. */
    private static final class Group {
        final long[][] data = {PeerList.NONE, PeerList.NONE, PeerList.NONE, PeerList.NONE};
        final int[] size = new int[4];

        PeerList bind(boolean ipv6, boolean seeder, PeerList view) {
            int i = slot(ipv6, seeder);
            return view.bind(data[i], size[i]);
        }

        void store(boolean ipv6, boolean seeder, PeerList view) {
            int i = slot(ipv6, seeder);
            data[i] = view.data();
            size[i] = view.size();
        }

        boolean isEmpty() {
            return size[0] + size[1] + size[2] + size[3] == 0;
        }

        private static int slot(boolean ipv6, boolean seeder) {
            return (ipv6 ? 2 : 0) + (seeder ? 0 : 1);
        }
    }

    private final Map<String, Group> byKey = new HashMap<>();
    private final Map<Member, List<String>> placed = new HashMap<>();

    boolean isEmpty() {
        return placed.isEmpty();
    }

    /**
     * Indexes the peer under {@code keys} as a seeder or a leecher (refreshing its entries if it is there),
     * after taking it out of any other keys or kind it was indexed under.
     */
    void put(IpAddress ip, int port, PeerId id, boolean seeder, List<String> keys, int now, PeerList view) {
        boolean ipv6 = !ip.isIpv4();
        Member m = new Member(!ip.isIpv4(), ip.hi(), ip.lo(), port);
        List<String> old = placed.put(m, keys);
        if (old != null && !old.equals(keys)) {
            removeFrom(old, ip, port, view);
        }
        for (int k = 0; k < keys.size(); k++) {
            Group g = byKey.computeIfAbsent(keys.get(k), key -> new Group());
            PeerList target = g.bind(ipv6, seeder, view);
            int at = target.lowerBound(ip.hi(), ip.lo(), port);
            if (target.matches(at, ip.hi(), ip.lo(), port)) {
                target.update(at, id, now);
                continue;
            }
            target.insert(at, ip.hi(), ip.lo(), port, id, now);
            g.store(ipv6, seeder, target);
            PeerList other = g.bind(ipv6, !seeder, view);
            int was = other.indexOf(ip.hi(), ip.lo(), port);
            if (was >= 0) {
                other.remove(was);
                g.store(ipv6, !seeder, other);
            }
        }
    }

    /** Takes the peer out of every group it is indexed under; nothing if it is in none. */
    void remove(IpAddress ip, int port, PeerList view) {
        List<String> old = placed.remove(new Member(!ip.isIpv4(), ip.hi(), ip.lo(), port));
        if (old != null) {
            removeFrom(old, ip, port, view);
        }
    }

    private void removeFrom(List<String> keys, IpAddress ip, int port, PeerList view) {
        boolean ipv6 = !ip.isIpv4();
        for (String key : keys) {
            Group g = byKey.get(key);
            if (g == null) {
                continue;
            }
            for (boolean seeder : new boolean[] {true, false}) {
                PeerList list = g.bind(ipv6, seeder, view);
                int at = list.indexOf(ip.hi(), ip.lo(), port);
                if (at >= 0) {
                    list.remove(at);
                    g.store(ipv6, seeder, list);
                }
            }
            if (g.isEmpty()) {
                byKey.remove(key);
            }
        }
    }

    /**
     * Drops entries last seen before {@code cutoff}, as the swarm's own lists do: a group entry is refreshed with
     * the swarm's entry, so both expire together. A peer gone from its nearest group is forgotten.
     */
    void expire(int cutoff, PeerList view4, PeerList view6) {
        for (Iterator<Group> it = byKey.values().iterator(); it.hasNext(); ) {
            Group g = it.next();
            for (int i = 0; i < 4; i++) {
                PeerList list = (i < 2 ? view4 : view6).bind(g.data[i], g.size[i]);
                if (list.expire(cutoff) > 0) {
                    g.data[i] = list.data();
                    g.size[i] = list.size();
                }
            }
            if (g.isEmpty()) {
                it.remove();
            }
        }
        placed.entrySet().removeIf(e -> {
            Member m = e.getKey();
            Group g = byKey.get(e.getValue().getFirst());
            if (g == null) {
                return true;
            }
            boolean ipv6 = m.ipv6();
            PeerList v = ipv6 ? view6 : view4;
            return g.bind(ipv6, true, v).indexOf(m.hi(), m.lo(), m.port()) < 0
                    && g.bind(ipv6, false, v).indexOf(m.hi(), m.lo(), m.port()) < 0;
        });
    }

    /**
     * For a selection: per key, a view of the group's seeders or leechers of one family (empty when the group
     * is gone). New views, since the selection holds several at once.
     */
    PeerList[] lists(List<String> keys, boolean ipv6, boolean seeder) {
        PeerList[] out = new PeerList[keys.size()];
        for (int k = 0; k < out.length; k++) {
            PeerList view = new PeerList(ipv6 ? AddressFamily.IPV6 : AddressFamily.IPV4);
            Group g = byKey.get(keys.get(k));
            out[k] = g == null ? view : g.bind(ipv6, seeder, view);
        }
        return out;
    }
}
