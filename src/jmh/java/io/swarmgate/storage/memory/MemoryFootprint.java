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
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bytes per peer of a {@link MemoryPeerStore}: the live heap after a full GC minus the live heap before the store
 * was filled (the figure the targets are stated in), the store's own estimate and, with the flag
 * {@code jol}, JOL's walk of the object graph (slow at 10M peers); then the process's RSS now and at its peak
 * (Linux {@code /proc/self/status}). Arguments: peers, swarms, family (4 or 6), then any of {@code jol} and
 * {@code history}: every swarm's first peer then comes and goes (a leecher stops and starts again, a seeder
 * announces another completed download), so every swarm keeps the history object that such traffic gives a
 * long-lived swarm; peers that join and stay, the fill alone, make none.
 * Run: {@code ./mvnw -B -Pbench -DskipTests test-compile exec:exec -Dbench.main=io.swarmgate.storage.memory.MemoryFootprint -Dbench.args="10000000 1000000 4"}.
 */
public final class MemoryFootprint {

    public static void main(String[] args) {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int swarms = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        boolean ipv6 = args.length > 2 && args[2].equals("6");
        List<String> flags = Arrays.asList(args).subList(Math.min(3, args.length), args.length);
        long before = usedHeap();
        MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), InstantSource.system(),
                ThreadLocalRandom::current);
        SplittableRandom rnd = new SplittableRandom(7);
        InfoHash[] torrents = new InfoHash[swarms];
        for (int i = 0; i < swarms; i++) {
            torrents[i] = new InfoHash(rnd.nextLong(), rnd.nextLong(), rnd.nextInt());
        }
        Peer[] firsts = flags.contains("history") ? new Peer[swarms] : null;
        for (int i = 0; i < peers; i++) {
            IpAddress ip = ipv6 ? new IpAddress(io.swarmgate.bittorrent.AddressFamily.IPV6,
                    0x2001_0db8_0000_0000L | (i & 0xffff_ffffL) << 16, rnd.nextLong())
                    : IpAddress.ipv4(i * 0x9E3779B1);
            Peer p = new Peer(new PeerId(rnd.nextLong(), rnd.nextLong(), rnd.nextInt()), ip, 6881);
            store.announce(torrents[i % swarms], p, Event.NONE, i % 4 == 0, 0, PeerPreference.NONE,
                    (f, hi, lo, port, a, b, c) -> { });
            if (firsts != null && i < swarms) {
                firsts[i] = p;
            }
        }
        for (int i = 0; firsts != null && i < Math.min(peers, swarms); i++) {
            // no peer changes lists, so the entry arrays stay as they were and only the history objects count
            boolean seeder = i % 4 == 0;
            store.announce(torrents[i], firsts[i], seeder ? Event.COMPLETED : Event.STOPPED, seeder, 0,
                    PeerPreference.NONE, (f, hi, lo, port, a, b, c) -> { });
            if (!seeder) {
                store.announce(torrents[i], firsts[i], Event.STARTED, false, 0, PeerPreference.NONE,
                        (f, hi, lo, port, a, b, c) -> { });
            }
        }
        // the keys are the test's, not the store's: drop them before measuring, whatever the JIT decides is live
        firsts = null;
        torrents = null;
        long after = usedHeap();
        long estimated = store.estimatedBytes();
        System.out.printf("%,d IPv%s peers in %,d swarms%s%n", peers, ipv6 ? "6" : "4", swarms,
                flags.contains("history") ? ", a peer came and went in every swarm" : "");
        System.out.printf("  live heap after GC: %,d bytes = %.1f bytes per peer (heap before filling %,d, after %,d)%n",
                after - before, (double) (after - before) / peers, before, after);
        System.out.printf("  estimatedBytes():   %,d bytes = %.1f per peer%n", estimated, (double) estimated / peers);
        if (flags.contains("jol")) {
            long walked = GraphLayout.parseInstance(store).totalSize();
            System.out.printf("  JOL object graph:   %,d bytes = %.1f per peer%n", walked, (double) walked / peers);
        }
        System.out.printf("  RSS %s, peak %s (max heap %,d MiB)%n", status("VmRSS"), status("VmHWM"),
                Runtime.getRuntime().maxMemory() >> 20);
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

    private static String status(String field) {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).strip())
                    .findFirst().orElse("?");
        } catch (java.io.IOException e) {
            return "?";
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
