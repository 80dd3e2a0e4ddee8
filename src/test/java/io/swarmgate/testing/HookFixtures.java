package io.swarmgate.testing;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.hook.HookServices;

import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;

/** Builds hook configs the way the config file does, hook services, and announces for hook tests. */
public final class HookFixtures {
    private HookFixtures() {
    }

    /**
     * The {@code config:} node of the first prehook of a config file whose hook config is {@code yaml}
     * (written unindented), so error keys read like the real ones: {@code prehooks.0.config.allow}.
     */
    public static Config hookConfig(String yaml) {
        StringBuilder doc = new StringBuilder("prehooks:\n  - name: test\n    config:\n");
        for (String line : yaml.split("\n")) {
            doc.append("      ").append(line).append('\n');
        }
        Config root = Config.just(ConfigSources.create(doc.toString(), MediaTypes.APPLICATION_YAML));
        return root.get("prehooks.0.config");
    }

    public static HookServices services(RandomGenerator random, ScheduledExecutorService scheduler) {
        return new HookServices(InstantSource.system(), () -> random, new SimpleMeterRegistry(), scheduler);
    }

    /** A peer_id starting with {@code prefix} (ISO-8859-1), padded with 'x' to 20 bytes. */
    public static PeerId peerId(String prefix) {
        byte[] b = new byte[20];
        java.util.Arrays.fill(b, (byte) 'x');
        byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(p, 0, b, 0, p.length);
        return PeerId.of(b);
    }

    public static AnnounceRequest announce(InfoHash infoHash, PeerId id, String ip, int port, long left,
                                           int numWant) {
        return new AnnounceRequest(infoHash, new Peer(id, IpAddress.parse(ip), port), 0, 0, left, Event.NONE,
                numWant, true, false, RequestMeta.of(Frontend.HTTP));
    }

    public static AnnounceRequest announce(InfoHash infoHash, String peerIdPrefix, String ip) {
        return announce(infoHash, peerId(peerIdPrefix), ip, 6881, 100, 50);
    }

    public static InfoHash infoHash(int n) {
        return InfoHash.fromHex(String.format("%040x", n));
    }
}
