package io.swarmgate.hook.subnet;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.bencode.Bencode;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.testing.RawHttp;

import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the subnet ITs share: a tracker with the subnet-preference prehook on HTTP only, and announces to it from
 * a chosen loopback source (all of 127/8 is this host, so a test can place peers in any rack).
 */
final class SubnetHttp {
    private SubnetHttp() {
    }

    /** A tracker on an ephemeral HTTP port with {@code hookConfig} (a YAML flow mapping) for subnet-preference. */
    static Swarmgate start(String hookConfig) {
        return Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {port: 0}
                udp: {enabled: false}
                metrics: {enabled: false}
                prehooks:
                  - name: subnet-preference
                    config: %s
                """.formatted(hookConfig)), new SimpleMeterRegistry(), InstantSource.system());
    }

    /** One announce from {@code source}, its peer_id and port derived from the source; the answer, which must be 200. */
    static Map<String, Object> announce(Swarmgate tracker, String torrent, String source, long left, String extra)
            throws IOException {
        String q = "/announce?info_hash=" + pct(id20(torrent)) + "&peer_id=" + pct(id20("peer-" + source))
                + "&port=6881&uploaded=0&downloaded=0&left=" + left + extra;
        RawHttp.Response r = RawHttp.get(source, "127.0.0.1", tracker.httpPort(), q);
        assertEquals(200, r.status());
        return Bencode.decodeDict(r.body());
    }

    /** The compact IPv4 peers of an answer as dotted addresses, in the order handed out. */
    static List<String> peers(Map<String, Object> answer) {
        byte[] b = (byte[]) answer.get("peers");
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 6 <= b.length; i += 6) {
            out.add((b[i] & 0xff) + "." + (b[i + 1] & 0xff) + "." + (b[i + 2] & 0xff) + "." + (b[i + 3] & 0xff));
        }
        return out;
    }
}
