package io.swarmgate.frontend.udp;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.metrics.RequestMetrics;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.protocol.udp.UdpErrorResponse;
import io.swarmgate.protocol.udp.UdpResponse;
import io.swarmgate.storage.MutableClock;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tracker.rate-limit} through the real listeners: HTTP failure reason, UDP error packet, counted. */
class RateLimitIT {
    private static final InfoHash TORRENT = InfoHash.fromHex("dddddddddddddddddddddddddddddddddddddddd");

    @Test
    void announcesBeyondTheBurstAreRefusedOnBothFrontendsUntilTheIntervalPasses() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml("""
                tracker: {rate-limit: {announces-per-minute: 2, burst: 2}}
                http: {port: 0, host: 127.0.0.1}
                udp: {port: 0, host: 127.0.0.1, workers: 1, connection-id-secret: rate-limit-test-secret-0123}
                metrics: {enabled: false}
                """), meters, clock)) {
            String query = "/announce?info_hash=" + pct(id20("rl")) + "&peer_id=" + pct(id20("p"))
                    + "&port=6881&left=5";
            for (int i = 0; i < 2; i++) {
                assertTrue(Bencode.decodeDict(RawHttp.get("127.0.0.3", "127.0.0.1", tracker.httpPort(), query)
                        .body()).containsKey("interval"));
            }
            Map<String, Object> refused = Bencode.decodeDict(
                    RawHttp.get("127.0.0.3", "127.0.0.1", tracker.httpPort(), query).body());
            assertEquals("rate limited", new String((byte[]) refused.get("failure reason")));
            // another address is not affected
            assertTrue(Bencode.decodeDict(RawHttp.get("127.0.0.4", "127.0.0.1", tracker.httpPort(), query)
                    .body()).containsKey("interval"));

            io.swarmgate.testing.UdpClient udp = new io.swarmgate.testing.UdpClient("127.0.0.1", tracker.udpPort(), 1);
            try (var socket = udp.socket) {
                udp.announce(TORRENT, 5, -1, "");
                udp.announce(TORRENT, 5, -1, "");
                UdpResponse r = udp.exchange(udp.announceRequest(udp.connect(), TORRENT, 5, -1, udp.port, ""));
                assertEquals("rate limited", assertInstanceOf(UdpErrorResponse.class, r).message());
                clock.advance(Duration.ofSeconds(30));
                UdpResponse again = udp.exchange(udp.announceRequest(udp.connect(), TORRENT, 5, -1, udp.port, ""));
                assertInstanceOf(UdpAnnounceResponse.class, again, "one more after 60 s / 2");
            }
            for (String frontend : new String[] {"http", "udp"}) {
                Timer t = meters.find(RequestMetrics.NAME)
                        .tags("frontend", frontend, "action", "announce", "result", "rate_limited").timer();
                assertTrue(t != null && t.count() == 1, frontend + " rate_limited counted");
            }
        }
    }
}
