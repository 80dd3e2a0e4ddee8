package io.swarmgate.bittorrent;

import java.util.List;

/**
 * Which peers an announcer should get first, and how many from far away.
 * <p><b>Tiers.</b> Locality tiers as prefix lengths of the announcer's own address family, nearest first (for
 * example {@code [24, 16]}: same /24, then same /16, then anyone). Tier 0 is the announcer's <em>rack</em>. An
 * empty list means no preference: a uniformly random selection.
 * <p><b>The bridge rule</b> (off when {@code rackQuorum} is 0). A store counts the peers the announcer could be
 * given from its rack ({@code near}: seeders and leechers for a leecher, leechers for a seeder; never the
 * announcer). Peers from farther tiers ("bridge peers") are then limited to {@link #farLimit(int, boolean)}:
 * <ul>
 * <li>{@code near >= rackQuorum}: none. The rack is served from within; its first peers carry its bridges.</li>
 * <li>a leecher whose rack holds a seeder (and fewer than {@code rackQuorum} peers): at most
 * {@code seededRackBridges}, by default none. The whole content is already in the rack, so its leechers are fed
 * from there and by the bridges other racks open towards it; a few bridges more let seeded racks feed each other,
 * which is faster when the seeders' upload is the bottleneck and costs backbone traffic.</li>
 * <li>{@code near < rackQuorum}: at most {@code bridgePeers}, taken nearest tier first, random within a tier,
 * and, for a leecher whose rack holds no seeder, one of them a seeder from the nearest tier that has one.</li>
 * <li>Of the bridges a leecher gets, at most one is a seeder while leechers can fill the others
 * ({@link #farSeederCap}).</li>
 * </ul>
 * So each rack's first {@code rackQuorum} announcers get up to {@code bridgePeers} peers outside the rack and
 * everyone after them gets rack-mates only: a rack pulls data across the backbone over a few connections instead
 * of one per leecher. With the rule off, numwant is filled from farther tiers once the nearer ones run out.
 * The rule is a function of one count, so a remote store can apply it in the same round trip as the selection.
 * <p><b>Groups instead of prefixes.</b> Where racks are not one prefix length, a topology map places the announcer
 * and {@code groups} names its tiers instead, nearest first: opaque keys (for example {@code dc1/pod3/rack17},
 * {@code dc1/pod3}, {@code dc1}) of which every later one contains every earlier one. The store then indexes the
 * announcer under exactly these keys and tier k is the peers indexed under {@code groups.get(k)}: the store never
 * learns the topology, and a changed map takes effect as peers announce with their new keys. A preference has
 * prefixes or groups, never both.
 */
public record PeerPreference(List<Integer> prefixes, List<String> groups, int rackQuorum, int bridgePeers,
                             int seededRackBridges) {
    public static final PeerPreference NONE = new PeerPreference(List.of());

    public PeerPreference {
        prefixes = List.copyOf(prefixes);
        groups = List.copyOf(groups);
        if (!prefixes.isEmpty() && !groups.isEmpty()) {
            throw new IllegalArgumentException("a preference has prefixes or groups, not both");
        }
        if (rackQuorum < 0 || bridgePeers < 0 || seededRackBridges < 0) {
            throw new IllegalArgumentException("rackQuorum, bridgePeers and seededRackBridges must not be negative,"
                    + " got " + rackQuorum + ", " + bridgePeers + " and " + seededRackBridges);
        }
    }

    /** Seeded racks take no bridges (the default). */
    public PeerPreference(List<Integer> prefixes, List<String> groups, int rackQuorum, int bridgePeers) {
        this(prefixes, groups, rackQuorum, bridgePeers, 0);
    }

    /** Prefix tiers with the bridge rule. */
    public PeerPreference(List<Integer> prefixes, int rackQuorum, int bridgePeers) {
        this(prefixes, List.of(), rackQuorum, bridgePeers);
    }

    /** Tiers only, the bridge rule off: numwant is filled nearest tier first, then from farther tiers. */
    public PeerPreference(List<Integer> prefixes) {
        this(prefixes, 0, 0);
    }

    /** Group tiers (keys nearest first, see the class comment) with the bridge rule. */
    public static PeerPreference ofGroups(List<String> groups, int rackQuorum, int bridgePeers) {
        return new PeerPreference(List.of(), groups, rackQuorum, bridgePeers);
    }

    /** The same tiers with another bridge rule. */
    public PeerPreference withBridges(int rackQuorum, int bridgePeers, int seededRackBridges) {
        return new PeerPreference(prefixes, groups, rackQuorum, bridgePeers, seededRackBridges);
    }

    public boolean isNone() {
        return prefixes.isEmpty() && groups.isEmpty();
    }

    /** Whether the tiers are {@link #groups} rather than {@link #prefixes}. */
    public boolean hasGroups() {
        return !groups.isEmpty();
    }

    /** How many locality tiers there are (the implicit "everyone else" not counted). */
    public int tierCount() {
        return Math.max(prefixes.size(), groups.size());
    }

    /** Whether farther tiers are limited by the bridge rule. */
    public boolean bridgesLimited() {
        return rackQuorum > 0 && !isNone();
    }

    /**
     * How many peers from beyond the rack (tier 0) an announcer may get when its rack holds {@code near} peers it
     * could be given, {@code seederNear} telling whether one of them is a seeder (only ever true for a leecher
     * announcer, since a seeder is given no seeders): {@link Integer#MAX_VALUE} with the rule off, else 0 once
     * {@code near >= rackQuorum}, else {@code seededRackBridges} when a seeder is near, else {@code bridgePeers}.
     */
    public int farLimit(int near, boolean seederNear) {
        if (!bridgesLimited()) {
            return Integer.MAX_VALUE;
        }
        return near >= rackQuorum ? 0 : seederNear ? seededRackBridges : bridgePeers;
    }

    /**
     * How many of an announcer's {@code farSlots} bridges (the peers it is given from beyond its rack while the
     * bridge rule limits them) may be seeders when {@code farLeechers} leechers it could be given are beyond its
     * rack: one, unless the leechers are too few to fill the other places. Bridges are drawn seeders first, so
     * without this cap a few seeders would carry every rack's bridges: with seeders in two racks, each
     * rack without one would open both its bridges to those two seeders, which then split their upload between
     * their own rack and every other rack's bridges while the leechers of their racks, which have upload to
     * spare, carried none.
     */
    public static int farSeederCap(int farSlots, int farLeechers) {
        return Math.max(1, farSlots - farLeechers);
    }
}
