package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.AddressFamily;

/**
 * One info_hash's peers: separate IPv4 and IPv6 swarms (BEP 7), each as a seeder and a leecher list created on
 * first use, plus the completed-download counter for scrape. Guarded by its shard's lock.
 */
final class Swarm {
    private PeerList seeders4;
    private PeerList leechers4;
    private PeerList seeders6;
    private PeerList leechers6;
    long downloads;

    /** The list, or null when it was never needed (and {@code create} is false). */
    PeerList list(boolean ipv6, boolean seeder, boolean create) {
        PeerList list = ipv6 ? (seeder ? seeders6 : leechers6) : (seeder ? seeders4 : leechers4);
        if (list == null && create) {
            list = new PeerList(ipv6 ? AddressFamily.IPV6 : AddressFamily.IPV4);
            if (ipv6) {
                if (seeder) {
                    seeders6 = list;
                } else {
                    leechers6 = list;
                }
            } else if (seeder) {
                seeders4 = list;
            } else {
                leechers4 = list;
            }
        }
        return list;
    }

    int seeders() {
        return size(seeders4) + size(seeders6);
    }

    int leechers() {
        return size(leechers4) + size(leechers6);
    }

    boolean isEmpty() {
        return seeders() == 0 && leechers() == 0;
    }

    /** Bytes held by this swarm's object and lists (compressed-oops layout), for memory estimates. */
    long estimatedBytes() {
        return 40 + bytes(seeders4) + bytes(leechers4) + bytes(seeders6) + bytes(leechers6);
    }

    private static int size(PeerList list) {
        return list == null ? 0 : list.size();
    }

    private static long bytes(PeerList list) {
        return list == null ? 0 : 24 + list.arrayBytes();
    }
}
