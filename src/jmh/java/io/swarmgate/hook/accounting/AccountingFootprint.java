package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import org.openjdk.jol.info.GraphLayout;

import java.util.SplittableRandom;

/**
 * Bytes the accounting hook keeps per peer (its previous totals, {@link PeerBaselines}), walked with JOL.
 * Run: ./mvnw -B -Pbench -DskipTests test-compile exec:exec -Dbench.main=io.swarmgate.hook.accounting.AccountingFootprint
 * -Dbench.args="1000000 10000" (peers, swarms).
 */
public final class AccountingFootprint {
    private AccountingFootprint() {
    }

    public static void main(String[] args) {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int swarms = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        PeerBaselines baselines = new PeerBaselines(31 * 60_000L);
        SplittableRandom random = new SplittableRandom(1);
        RequestMeta meta = RequestMeta.of(Frontend.UDP);
        for (int i = 0; i < peers; i++) {
            InfoHash h = new InfoHash(i % swarms, 42, 7);
            PeerId id = new PeerId(random.nextLong(), random.nextLong(), random.nextInt());
            baselines.apply(new AnnounceRequest(h, new Peer(id, IpAddress.ipv4(0x0a000000 | i), 6881),
                    random.nextLong(1L << 40), random.nextLong(1L << 40), 0, Event.STARTED, 50, true, true, meta), 0,
                    null, 0, (hash, subject, day, up, down, completed) -> { });
        }
        long bytes = GraphLayout.parseInstance(baselines).totalSize();
        System.out.printf("accounting baselines: %d peers in %d swarms: %d bytes in %d slots, %.1f bytes per peer%n",
                baselines.size(), swarms, bytes, baselines.capacity(), (double) bytes / baselines.size());
    }
}
