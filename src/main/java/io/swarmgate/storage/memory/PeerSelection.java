package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;

import java.math.BigInteger;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks peers for one announce from a swarm's sorted seeder and leecher lists, without sorting or copying them.
 * <p>Because the lists are sorted by address, "peers sharing the announcer's /N" is one index range found by two
 * binary searches; tiers nest, so tier k is that range minus the previous tier's range: at most two pieces.
 * Within a piece pair, peers are drawn by a random start and a random step coprime to the pair's length, which
 * visits every index once in a shuffled-looking order without allocating a set of chosen indexes.
 * <p>With group tiers ({@link PeerPreference#groups}) tier k's cumulative set is its own list, the group's
 * sub-index (the swarm's list for the last, everyone), and tier k is that list minus the nearer group: drawn the
 * same way, skipping entries the nearer group holds. A tier is only walked once every nearer one has been handed
 * out whole, so the skipped entries are fewer than numwant: the cost still grows with numwant, not the swarm.
 */
final class PeerSelection {
    /**
     * Primes in (2^31, 2^32), each the next prime after a point spread over that range by the golden ratio, so
     * their remainders modulo any swarm size look random rather than clustered.
     */
    private static final long[] STEP_PRIMES = stepPrimes(256);

    private PeerSelection() {
    }

    /**
     * @param seeders    the swarm's seeders of the announcer's family, or null when it has none
     * @param leechers   the swarm's leechers of the announcer's family, or null when it has none
     * @param preference locality tiers (prefix lengths of the announcer's family, nearest first) and the bridge
     *                   rule ({@link PeerPreference#farLimit(int, boolean)})
     * @param byTier     null, or one slot per tier plus one for everyone else: counts of the peers handed out
     * @param seederGroups  with group tiers, per tier the group's seeders of the announcer's family; else null
     * @param leecherGroups the same for leechers
     * @return how many peers went to {@code sink}
     */
    static int select(PeerList seeders, PeerList leechers, IpAddress ip, int port, boolean announcerIsSeeder,
                      int numWant, PeerPreference preference, RandomGenerator random, PeerSink sink, int[] byTier,
                      PeerList[] seederGroups, PeerList[] leecherGroups) {
        List<Integer> prefixes = preference.prefixes();
        Tiers s = announcerIsSeeder || seeders == null ? null : new Tiers(seeders, seederGroups, ip, port);
        Tiers l = leechers == null ? null : new Tiers(leechers, leecherGroups, ip, port);
        int seedersAvailable = s == null ? 0 : s.available();
        int available = seedersAvailable + (l == null ? 0 : l.available());
        if (Math.min(numWant, available) <= 0) {
            return 0;
        }
        int tiers = preference.tierCount();
        int want;
        int farLimit = Integer.MAX_VALUE;
        int farSeederCap = Integer.MAX_VALUE;
        if (tiers > 0) {
            // the rack (tier 0) first: its count decides how many peers may come from farther away
            if (s != null) {
                s.advance(0, prefixes, ip);
            }
            if (l != null) {
                l.advance(0, prefixes, ip);
            }
            int nearSeeders = s == null ? 0 : s.availableSoFar();
            int near = nearSeeders + (l == null ? 0 : l.availableSoFar());
            farLimit = preference.farLimit(near, nearSeeders > 0);
            want = Math.min(numWant, near + Math.min(farLimit, available - near));
            if (farLimit != Integer.MAX_VALUE && s != null) {
                int farLeechers = l == null ? 0 : l.available() - l.availableSoFar();
                farSeederCap = PeerPreference.farSeederCap(want - Math.min(near, want), farLeechers);
            }
        } else {
            want = Math.min(numWant, available);
        }
        if (want <= 0) {
            return 0;
        }
        // Never starve a rack of seeders: when the nearest tiers hold only leechers and those alone would fill
        // the answer, the last place goes to a seeder from the nearest tier that has one. Decided before anything
        // is written, because a sink cannot take a peer back. Without tiers everyone is one tier: never needed;
        // a rack served from within (no far peers allowed) is reached through its bridges instead.
        int seederTier = seedersAvailable > 0 && tiers > 0 && farLimit > 0
                ? reservedSeederTier(s, l == null ? null : new Tiers(leechers, leecherGroups, ip, port), want,
                tiers, prefixes, ip) : -1;
        int fill = seederTier >= 0 ? want - 1 : want;
        int written = 0;
        int farSeeders = 0;
        // tier by tier (the last one, k == tiers, is everyone else); within a tier seeders before leechers
        for (int k = 0; k <= tiers && written < fill; k++) {
            int before = written;
            if (s != null) {
                if (k > 0 || tiers == 0) {
                    s.advance(k, prefixes, ip);
                }
                if (k == 0) {
                    written += s.take(fill - written, sink, random);
                } else {
                    int taken = s.take(Math.min(fill - written, farSeederCap - farSeeders), sink, random);
                    farSeeders += taken;
                    written += taken;
                }
            }
            if (l != null && written < fill) {
                if (k > 0 || tiers == 0) {
                    l.advance(k, prefixes, ip);
                }
                written += l.take(fill - written, sink, random);
            }
            count(byTier, k, written - before);
        }
        if (seederTier >= 0) {
            // the loop stopped before seederTier: the tiers it passed held no seeder
            while (s.tier < seederTier) {
                s.advance(s.tier + 1, prefixes, ip);
            }
            int taken = s.take(1, sink, random);
            count(byTier, seederTier, taken);
            written += taken;
        }
        return written;
    }

    private static void count(int[] byTier, int tier, int n) {
        if (byTier != null && n > 0) {
            byTier[Math.min(tier, byTier.length - 1)] += n;
        }
    }

    /**
     * The nearest tier holding a seeder (other than the announcer) when the leechers of all nearer tiers number
     * at least {@code want}, so that a plain walk would fill numWant with leechers only; otherwise -1.
     */
    private static int reservedSeederTier(Tiers walking, Tiers l, int want, int tiers, List<Integer> prefixes,
                                          IpAddress ip) {
        Tiers s = new Tiers(walking.list, walking.groups, ip, walking.port);
        for (int k = 0; k <= tiers; k++) {
            s.advance(k, prefixes, ip);
            if (s.availableSoFar() > 0) {
                // l still stands at tier k - 1
                return l != null && l.availableSoFar() >= want ? k : -1;
            }
            if (l != null) {
                l.advance(k, prefixes, ip);
            }
        }
        return -1; // no seeder but the announcer: nothing to reserve
    }

    /**
     * A walk through one list's tiers: the current cumulative range and the one before it; with groups, the
     * current cumulative list and the one before it.
     */
    private static final class Tiers {
        final PeerList list;
        /** Per tier the group's list, or null for prefix tiers. */
        final PeerList[] groups;
        final int port;
        /** The announcer's own index in this list (it may be stale there), or -1. */
        final int self;
        int tier = -1;
        int lo;
        int hi;
        int prevLo;
        int prevHi;
        /** With groups: the current tier's cumulative list (null before the first), the one before, and self in it. */
        PeerList cur;
        PeerList prev;
        int curSelf = -1;

        Tiers(PeerList list, PeerList[] groups, IpAddress ip, int port) {
            this.list = list;
            this.groups = groups;
            this.port = port;
            int at = list.lowerBound(ip.hi(), ip.lo(), port);
            this.self = list.matches(at, ip.hi(), ip.lo(), port) ? at : -1;
            // before the first tier the range is empty, placed where the announcer sorts
            lo = hi = prevLo = prevHi = at;
        }

        int available() {
            return list.size() - (self >= 0 ? 1 : 0);
        }

        /** Peers other than the announcer in the current cumulative range (this tier and all nearer ones). */
        int availableSoFar() {
            if (groups != null) {
                return cur == null ? 0 : cur.size() - (curSelf >= 0 ? 1 : 0);
            }
            return hi - lo - (self >= lo && self < hi ? 1 : 0);
        }

        /** Moves to tier {@code k}: {@code prefixes.get(k)}, or everyone when {@code k == prefixes.size()}. */
        void advance(int k, List<Integer> prefixes, IpAddress ip) {
            if (groups != null) {
                tier = k;
                prev = cur;
                cur = k < groups.length ? groups[k] : list;
                curSelf = cur.indexOf(ip.hi(), ip.lo(), port);
                return;
            }
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

        /**
         * Emits up to {@code max} random peers of the current tier (minus the previous); returns how many. One
         * random walk for both kinds of tier: with prefixes the tier is two index ranges of {@code list}; with
         * groups it is the current group's list, skipping the announcer and the entries the nearer group holds.
         */
        int take(int max, PeerSink sink, RandomGenerator random) {
            boolean grouped = groups != null;
            PeerList from = grouped ? cur : list;
            int len1 = grouped ? 0 : prevLo - lo;
            int n = grouped ? (cur == null ? 0 : cur.size()) : len1 + hi - prevHi;
            if (n == 0 || max <= 0) {
                return 0;
            }
            int v = random.nextInt(n);
            int step = coprimeStep(n, random);
            int added = 0;
            for (int i = 0; i < n && added < max; i++) {
                int index = grouped ? v : v < len1 ? lo + v : prevHi + (v - len1);
                boolean skip = grouped ? v == curSelf || (prev != null && prev.containsEntryOf(cur, v))
                        : index == self;
                if (!skip) {
                    from.emit(index, sink);
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

    /**
     * A random step in [1, n) sharing no factor with n, so stepping modulo n visits every index once. A prime
     * p above every int is coprime to any n, and so is p mod n (gcd(p mod n, n) = gcd(p, n) = 1): one table
     * lookup and one remainder instead of gcds on random candidates until one is coprime.
     */
    static int coprimeStep(int n, RandomGenerator random) {
        if (n <= 2) {
            return 1;
        }
        return (int) (STEP_PRIMES[random.nextInt(STEP_PRIMES.length)] % n);
    }

    private static long[] stepPrimes(int count) {
        long[] primes = new long[count];
        for (int i = 0; i < count; i++) {
            long start = (1L << 31) + ((i + 1) * 0x9E3779B9L & 0x7fffffffL);
            primes[i] = BigInteger.valueOf(start).nextProbablePrime().longValueExact();
        }
        return primes;
    }
}
