package io.swarmgate.hook.subnet;

import io.helidon.config.Config;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code topology:} map of {@code subnet-preference}: networks ({@code cidr}) placed at a {@code path} of
 * labels, farthest first ({@code [dc1, pod3, rack17]}). Two peers are in the same tier k when their paths share
 * the first k labels, so an announcer at {@code [dc1, pod3, rack17]} has three tiers, nearest first: the keys
 * {@code dc1/pod3/rack17}, {@code dc1/pod3} and {@code dc1} (see {@link PeerPreference#groups}). An address
 * belongs to the most specific network that contains it (longest prefix); one that none contains is not placed.
 * <p><b>Lookup cost.</b> Entries are kept in one hash table per distinct prefix length of each family; a lookup
 * probes the tables from the longest prefix down and stops at the first hit: at most as many probes as there are
 * distinct prefix lengths (33 for IPv4, 129 for IPv6, in practice a handful), whatever the number of entries, and
 * no allocation. One {@link PeerPreference} is built per distinct path when the map is built, so the request path
 * only hands it out.
 */
final class TopologyMap {
    static final int MAX_LABELS = 8;
    static final int MAX_LABEL_LENGTH = 64;
    static final int MAX_ENTRIES = 1_000_000;
    /** Labels end up in store keys (Redis key names, joined by '/' and ' '): plain characters only. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_LABEL_LENGTH + "}");
    static final TopologyMap EMPTY = new TopologyMap(List.of(), SubnetPreferenceConfig.DEFAULTS);

    /** One validated entry; {@code name} says where it came from ("entry 3", "file entry 3"). */
    record Entry(String name, IpAddress network, int prefix, List<String> path) {
        Entry {
            path = List.copyOf(path);
        }

        String cidr() {
            return network + "/" + prefix;
        }
    }

    private final List<Entry> entries;
    private final Level[] ipv4;
    private final Level[] ipv6;

    /**
     * @param rule the bridge rule every entry's tiers get
     * @throws IllegalArgumentException naming both entries when two have the same network
     */
    TopologyMap(List<Entry> entries, SubnetPreferenceConfig rule) {
        this.entries = List.copyOf(entries);
        Map<List<String>, PeerPreference> byPath = new HashMap<>();
        Map<Integer, List<Entry>> v4 = new TreeMap<>((a, b) -> b - a);
        Map<Integer, List<Entry>> v6 = new TreeMap<>((a, b) -> b - a);
        Map<IpAddress, Map<Integer, Entry>> seen = new HashMap<>();
        for (Entry e : this.entries) {
            Entry before = seen.computeIfAbsent(e.network(), k -> new HashMap<>()).putIfAbsent(e.prefix(), e);
            if (before != null) {
                throw new IllegalArgumentException(describe(e) + ": the same network as " + describe(before));
            }
            (e.network().isIpv4() ? v4 : v6).computeIfAbsent(e.prefix(), k -> new ArrayList<>()).add(e);
            byPath.computeIfAbsent(e.path(), p -> rule.bridged(PeerPreference.ofGroups(groups(p), 0, 0)));
        }
        this.ipv4 = levels(v4, byPath);
        this.ipv6 = levels(v6, byPath);
    }

    List<Entry> entries() {
        return entries;
    }

    int size() {
        return entries.size();
    }

    /** The tiers of the most specific entry containing {@code ip}, or null when none does. */
    PeerPreference lookup(IpAddress ip) {
        for (Level level : ip.isIpv4() ? ipv4 : ipv6) {
            PeerPreference p = level.get(ip.hi() & level.hiMask, ip.lo() & level.loMask);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** {@code [dc1, pod3, rack17]} gives {@code [dc1/pod3/rack17, dc1/pod3, dc1]}: nearest first. */
    static List<String> groups(List<String> path) {
        List<String> out = new ArrayList<>(path.size());
        for (int k = path.size(); k >= 1; k--) {
            out.add(String.join("/", path.subList(0, k)));
        }
        return List.copyOf(out);
    }

    /** "entry 3 (cidr 10.1.0.0/26)": how every message names an entry. */
    private static String describe(Entry e) {
        return e.name() + " (cidr " + e.cidr() + ")";
    }

    /**
     * Reads a {@code topology:} list: each item a mapping with {@code cidr} and {@code path}.
     *
     * @param entry what to call an item in messages, followed by its index ("entry", "file entry")
     * @throws IllegalArgumentException naming the entry by index and cidr, e.g.
     *                                  {@code entry 2 (cidr 10.1.0.5/24): host bits are set, the network is 10.1.0.0/24}
     */
    static List<Entry> parse(Config list, String key, String entry) {
        if (!list.exists()) {
            return List.of();
        }
        if (list.isLeaf() && list.asString().orElse("").strip().matches("|\\[\\]")) {
            return List.of();
        }
        if (!list.isList()) {
            throw new IllegalArgumentException("must be a list of {cidr: ..., path: [...]} entries");
        }
        List<Config> items = list.asNodeList().get();
        if (items.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " entries, got " + items.size());
        }
        List<Entry> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(entry(items.get(i), entry + " " + i, key + "." + i));
        }
        return out;
    }

    private static Entry entry(Config item, String label, String key) {
        String cidr = "?";
        try {
            ConfigReader r = ConfigReader.of(item, key);
            cidr = r.string("cidr", "").strip();
            List<String> path = r.strings("path", List.of());
            r.finish();
            String name = label + " (cidr " + (cidr.isEmpty() ? "missing" : cidr) + ")";
            if (cidr.isEmpty()) {
                throw new IllegalArgumentException(name + ": set cidr, e.g. cidr: 10.1.0.0/26");
            }
            Entry e = network(cidr, label, path, name);
            checkPath(path, name);
            return e;
        } catch (ConfigException e) {
            throw new IllegalArgumentException(label + " (cidr " + cidr + "): " + e.getMessage());
        }
    }

    private static Entry network(String cidr, String label, List<String> path, String name) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(name + ": expected address/prefix-length, e.g. 10.1.0.0/26");
        }
        IpAddress ip;
        try {
            ip = IpAddress.parse(cidr.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
        if (ip.isIpv4() && cidr.indexOf(':') >= 0) {
            throw new IllegalArgumentException(name + ": write an IPv4-mapped network as IPv4 (a.b.c.d/n)");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1).strip());
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > ip.bits()) {
            throw new IllegalArgumentException(name + ": the prefix length must be a whole number from 0 to "
                    + ip.bits());
        }
        IpAddress net = ip.network(prefix);
        if (!net.equals(ip)) {
            throw new IllegalArgumentException(name + ": host bits are set, the network is " + net + "/" + prefix);
        }
        return new Entry(label, net, prefix, path);
    }

    private static void checkPath(List<String> path, String name) {
        if (path.isEmpty() || path.size() > MAX_LABELS) {
            throw new IllegalArgumentException(name + ": path must list 1 to " + MAX_LABELS
                    + " labels, farthest first, e.g. [dc1, pod3, rack17]");
        }
        for (String label : path) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException(name + ": label '" + label + "' must be 1 to "
                        + MAX_LABEL_LENGTH + " letters, digits or . _ : -");
            }
        }
    }

    private static Level[] levels(Map<Integer, List<Entry>> byPrefix, Map<List<String>, PeerPreference> byPath) {
        List<Level> out = new ArrayList<>();
        for (Map.Entry<Integer, List<Entry>> e : byPrefix.entrySet()) {
            out.add(new Level(e.getKey(), e.getValue(), byPath));
        }
        return out.toArray(Level[]::new);
    }

    /**
     * The entries of one family and prefix length: open addressing on the masked address (linear probing, at
     * most half full), so a lookup is a mask, a hash and usually one comparison.
     */
    private static final class Level {
        final long hiMask;
        final long loMask;
        final long[] keys;
        final PeerPreference[] values;
        final int mask;

        Level(int prefix, List<Entry> entries, Map<List<String>, PeerPreference> byPath) {
            Entry first = entries.getFirst();
            IpAddress all = new IpAddress(first.network().family(), first.network().isIpv4() ? 0 : -1L,
                    first.network().isIpv4() ? 0xffffffffL : -1L);
            IpAddress m = all.network(prefix);
            this.hiMask = m.hi();
            this.loMask = m.lo();
            int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
            this.keys = new long[2 * capacity];
            this.values = new PeerPreference[capacity];
            this.mask = capacity - 1;
            for (Entry e : entries) {
                long hi = e.network().hi();
                long lo = e.network().lo();
                int i = slot(hi, lo);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[2 * i] = hi;
                keys[2 * i + 1] = lo;
                values[i] = byPath.get(e.path());
            }
        }

        private int slot(long hi, long lo) {
            long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL;
            h ^= h >>> 31;
            return (int) (h ^ h >>> 32) & mask;
        }

        PeerPreference get(long hi, long lo) {
            for (int i = slot(hi, lo); values[i] != null; i = (i + 1) & mask) {
                if (keys[2 * i] == hi && keys[2 * i + 1] == lo) {
                    return values[i];
                }
            }
            return null;
        }
    }
}
