package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks peers for one announce from a swarm's sorted seeder and leecher lists, without sorting or copying them.
 * <p>Because the lists are sorted by address, "peers sharing the announcer's /N" is one index range found by two
 * binary searches; tiers nest, so tier k is that range minus the previous tier's range: at most two pieces.
 * Within a piece pair, peers are drawn by a random start and a random step coprime to the pair's length, which
 * visits every index once in a shuffled-looking order without allocating a set of chosen indexes.
 */
final class PeerSelection {

    private PeerSelection() {
    }

    /**
     * @param seeders  the swarm's seeders of the announcer's family, or null when it has none
     * @param leechers the swarm's leechers of the announcer's family, or null when it has none
     * @param prefixes locality tiers, nearest first, as prefix lengths of the announcer's family
     */
    static List<Peer> select(PeerList seeders, PeerList leechers, IpAddress ip, int port, boolean announcerIsSeeder,
                             int numWant, List<Integer> prefixes, RandomGenerator random) {
        Tiers s = announcerIsSeeder || seeders == null ? null : new Tiers(seeders, ip, port);
        Tiers l = leechers == null ? null : new Tiers(leechers, ip, port);
        int seedersAvailable = s == null ? 0 : s.available();
        int available = seedersAvailable + (l == null ? 0 : l.available());
        int want = Math.min(numWant, available);
        if (want <= 0) {
            return List.of();
        }
        List<Peer> out = new ArrayList<>(want);
        int tiers = prefixes.size();
        boolean seederTaken = false;
        // tier by tier (the last one, k == tiers, is everyone else); within a tier seeders before leechers
        for (int k = 0; k <= tiers && out.size() < want; k++) {
            if (s != null) {
                s.advance(k, prefixes, ip);
                seederTaken |= s.take(want - out.size(), out, random) > 0;
            }
            if (l != null && out.size() < want) {
                l.advance(k, prefixes, ip);
                l.take(want - out.size(), out, random);
            }
        }
        if (seedersAvailable > 0 && !seederTaken) {
            // Never starve a rack of seeders: the nearest tiers were all leechers and filled numWant, so the
            // last pick gives way to a seeder from the nearest tier that has one. Tiers already passed had none.
            out.remove(out.size() - 1);
            int added = 0;
            for (int k = s.tier + 1; k <= tiers && added == 0; k++) {
                s.advance(k, prefixes, ip);
                added = s.take(1, out, random);
            }
        }
        return out;
    }

    /** A walk through one list's tiers: the current cumulative range and the one before it. */
    private static final class Tiers {
        final PeerList list;
        /** The announcer's own index in this list (it may be stale there), or -1. */
        final int self;
        int tier = -1;
        int lo;
        int hi;
        int prevLo;
        int prevHi;

        Tiers(PeerList list, IpAddress ip, int port) {
            this.list = list;
            int at = list.lowerBound(ip.hi(), ip.lo(), port);
            this.self = list.matches(at, ip.hi(), ip.lo(), port) ? at : -1;
            // before the first tier the range is empty, placed where the announcer sorts
            lo = hi = prevLo = prevHi = at;
        }

        int available() {
            return list.size() - (self >= 0 ? 1 : 0);
        }

        /** Moves to tier {@code k}: {@code prefixes.get(k)}, or everyone when {@code k == prefixes.size()}. */
        void advance(int k, List<Integer> prefixes, IpAddress ip) {
            prevLo = lo;
            prevHi = hi;
            tier = k;
            if (k == prefixes.size()) {
                lo = 0;
                hi = list.size();
                return;
            }
            int prefix = Math.clamp(prefixes.get(k), 0, ip.bits());
            IpAddress first = ip.network(prefix);
            IpAddress last = ip.lastInNetwork(prefix);
            // ranges of the same address nest; min/max keeps them nested even for prefixes given out of order
            lo = Math.min(lo, list.lowerBound(first.hi(), first.lo(), 0));
            hi = Math.max(hi, list.lowerBound(last.hi(), last.lo(), PeerList.AFTER_ALL_PORTS));
        }

        /** Adds up to {@code max} random peers of the current tier (minus the previous); returns how many. */
        int take(int max, List<Peer> out, RandomGenerator random) {
            int len1 = prevLo - lo;
            int n = len1 + hi - prevHi;
            if (n == 0 || max <= 0) {
                return 0;
            }
            int v = random.nextInt(n);
            int step = coprimeStep(n, random);
            int added = 0;
            for (int i = 0; i < n && added < max; i++) {
                int index = v < len1 ? lo + v : prevHi + (v - len1);
                if (index != self) {
                    out.add(list.peerAt(index));
                    added++;
                }
                v += step;
                if (v >= n) {
                    v -= n;
                }
            }
            return added;
        }
    }

    /** A random step in [1, n) sharing no factor with n, so stepping modulo n visits every index once. */
    static int coprimeStep(int n, RandomGenerator random) {
        if (n <= 2) {
            return 1;
        }
        for (int tries = 0; tries < 64; tries++) {
            int step = 1 + random.nextInt(n - 1);
            if (gcd(step, n) == 1) {
                return step;
            }
        }
        return 1; // practically unreachable: about half of all steps are coprime for any n of interest
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
