package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.PeerPreference;
import org.openjdk.jol.info.GraphLayout;

import java.time.Duration;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bytes per peer of a {@link MemoryPeerStore}, three ways: the store's own estimate, JOL's walk of the object
 * graph, and the heap used before and after filling it. Arguments: peers, swarms, family (4 or 6).
 * Run: {@code ./mvnw -B -Pbench -DskipTests test-compile exec:exec -Dbench.main=io.swarmgate.storage.memory.MemoryFootprint -Dbench.args="1000000 10000 4"}.
 */
public final class MemoryFootprint {

    public static void main(String[] args) {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int swarms = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        boolean ipv6 = args.length > 2 && args[2].equals("6");
        long before = usedHeap();
        MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(),
                ThreadLocalRandom::current);
        SplittableRandom rnd = new SplittableRandom(7);
        InfoHash[] torrents = new InfoHash[swarms];
        for (int i = 0; i < swarms; i++) {
            torrents[i] = new InfoHash(rnd.nextLong(), rnd.nextLong(), rnd.nextInt());
        }
        for (int i = 0; i < peers; i++) {
            IpAddress ip = ipv6 ? new IpAddress(io.swarmgate.bittorrent.AddressFamily.IPV6,
                    0x2001_0db8_0000_0000L | (i & 0xffff_ffffL) << 16, rnd.nextLong())
                    : IpAddress.ipv4(i * 0x9E3779B1);
            Peer p = new Peer(new PeerId(rnd.nextLong(), rnd.nextLong(), rnd.nextInt()), ip, 6881);
            store.announce(torrents[i % swarms], p, Event.NONE, i % 4 == 0, 0, PeerPreference.NONE,
                    (f, hi, lo, port, a, b, c) -> { });
        }
        long after = usedHeap();
        long estimated = store.estimatedBytes();
        long walked = GraphLayout.parseInstance(store).totalSize();
        System.out.printf("%,d IPv%s peers in %,d swarms%n", peers, ipv6 ? "6" : "4", swarms);
        System.out.printf("  estimatedBytes(): %,d bytes = %.1f per peer%n", estimated, (double) estimated / peers);
        System.out.printf("  JOL object graph: %,d bytes = %.1f per peer%n", walked, (double) walked / peers);
        System.out.printf("  heap used delta:  %,d bytes = %.1f per peer%n", after - before,
                (double) (after - before) / peers);
        // a GC pass that finds nothing to expire: the every-minute cost once the swarms are steady
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            store.collectGarbage();
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("  collectGarbage() with nothing to expire: %.1f ms (best of 5)%n", best / 1e6);
        if (store.totals().swarms() != swarms) {
            throw new AssertionError("store lost swarms");
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
