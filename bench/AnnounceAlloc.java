import io.swarmgate.bittorrent.*;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.storage.memory.MemoryPeerStore;

/**
 * Heap bytes allocated (and wall time) per {@code TrackerLogic.announce} on the sink path, the UDP and compact
 * HTTP hot path: 1,000 leechers in one swarm re-announcing, numwant 50, a sink that drops the peers. A quick A/B
 * for a change on that path, beside bench/udp-ab.sh; the byte count is exact, the time only means something on
 * a quiet machine. Run it against two builds, interleaved, pinned to one core:
 * <pre>
 *   taskset -c 1 java -cp "A/swarmgate.jar:A/libs/*" bench/AnnounceAlloc.java
 *   taskset -c 1 java -cp "B/swarmgate.jar:B/libs/*" bench/AnnounceAlloc.java
 * </pre>
 * (a JDK 21+ {@code java}; each folder holds a build's target/swarmgate.jar and target/libs).
 */
public class AnnounceAlloc {
    public static void main(String[] args) throws Exception {
        var store = new MemoryPeerStore(java.time.Duration.ofMinutes(31), java.time.InstantSource.system(),
                java.util.SplittableRandom::new);
        var logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, java.util.List.of(), java.util.List.of());
        InfoHash t = new InfoHash(1, 2, 3);
        PeerSink sink = (f, hi, lo, port, i0, i1, i2) -> { };
        AnnounceRequest[] reqs = new AnnounceRequest[1000];
        for (int n = 0; n < reqs.length; n++) {
            reqs[n] = new AnnounceRequest(t, new Peer(new PeerId(n, n, n), IpAddress.ipv4(0x0a000000 + n), 6881),
                    0, 0, 100, Event.NONE, 50, true, true, RequestMeta.of(Frontend.UDP));
        }
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 2_000_000; i++) {
            logic.announce(reqs[i % reqs.length], sink);
        }
        int n = 2_000_000;
        long bytes = mx.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            logic.announce(reqs[i % reqs.length], sink);
        }
        long nanos = System.nanoTime() - t0;
        bytes = mx.getCurrentThreadAllocatedBytes() - bytes;
        System.out.printf("%.1f bytes allocated per announce, %.0f ns per announce%n", bytes / (double) n,
                nanos / (double) n);
    }
}
