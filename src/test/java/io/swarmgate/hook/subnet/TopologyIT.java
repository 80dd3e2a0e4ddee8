package io.swarmgate.hook.subnet;

import io.swarmgate.Swarmgate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The topology map over real sockets: peers announce over HTTP from 127.20.x.y addresses, placed in racks by a
 * topology file whose racks are not one prefix length (rack r1 is 127.20.1.0/26 plus 127.20.9.0/24); then the
 * file is replaced and, once the tracker has reloaded it, re-announcing peers are in their new racks.
 */
class TopologyIT {
    @TempDir
    Path dir;
    private Swarmgate tracker;

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
    }

    private Map<String, Object> announce(String source, String extra) throws IOException {
        return SubnetHttp.announce(tracker, "topology-it", source, 100, "&compact=1" + extra);
    }

    private static Set<String> peers(Map<String, Object> d) {
        return new HashSet<>(SubnetHttp.peers(d));
    }

    private static void write(Path file, String yaml) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void racksComeFromTheTopologyFileAndAReplacedFileTakesEffect() throws Exception {
        Path file = dir.resolve("topology.yaml");
        write(file, """
                topology:
                  - {cidr: 127.20.1.0/26, path: [dc1, r1]}
                  - {cidr: 127.20.9.0/24, path: [dc1, r1]}
                  - {cidr: 127.20.1.64/26, path: [dc1, r2]}
                """);
        tracker = SubnetHttp.start("{topology-file: '%s', topology-reload-interval: 100ms}".formatted(file));
        for (String source : List.of("127.20.1.1", "127.20.9.1", "127.20.1.65", "127.20.1.66", "127.20.1.67")) {
            announce(source, "&numwant=0");
        }
        // r1 holds 127.20.1.1 and 127.20.9.1 (two peers: the quorum), so an r1 announcer gets those only,
        // though the three r2 peers share its /24
        assertEquals(Set.of("127.20.1.1", "127.20.9.1"), peers(announce("127.20.9.2", "&numwant=20")));
        // an unplaced announcer falls back to the prefix tiers: its /24 (127.20.1.x) holds four peers
        assertEquals(Set.of("127.20.1.1", "127.20.1.65", "127.20.1.66", "127.20.1.67"),
                peers(announce("127.20.1.200", "&numwant=20")));

        // the whole /24 is r2 now, 127.20.9.0/24 stays r1
        write(file, """
                topology:
                  - {cidr: 127.20.1.0/24, path: [dc1, r2]}
                  - {cidr: 127.20.9.0/24, path: [dc1, r1]}
                """);
        // 127.20.1.1 re-announces until the tracker has reloaded the file (polled every 100 ms; bounded wait):
        // then it is in r2, whose other peers (those that announced placed) are its rack-mates
        Set<String> r2 = Set.of("127.20.1.65", "127.20.1.66", "127.20.1.67");
        Set<String> got = Set.of();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!got.equals(r2) && System.nanoTime() < deadline) {
            got = peers(announce("127.20.1.1", "&numwant=20"));
        }
        assertEquals(r2, got, "the new file placed 127.20.1.1 in r2");
        // and r1 lost it: 127.20.9.1 is alone with 127.20.9.2, below the quorum, so it gets its rack-mate and
        // two bridges from dc1
        Set<String> r1 = peers(announce("127.20.9.1", "&numwant=20"));
        assertEquals(3, r1.size(), r1::toString);
        assertTrue(r1.contains("127.20.9.2"), r1::toString);
        r1.remove("127.20.9.2");
        assertTrue(Set.of("127.20.1.1", "127.20.1.65", "127.20.1.66", "127.20.1.67").containsAll(r1), r1::toString);
    }
}
