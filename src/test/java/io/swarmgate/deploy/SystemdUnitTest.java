package io.swarmgate.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** deploy/systemd/swarmgate.service: the hardening the README promises, and clean for systemd-analyze verify. */
class SystemdUnitTest {
    static final Path UNIT = Path.of("deploy/systemd/swarmgate.service");

    static Map<String, String> settings() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(UNIT)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    @Test
    void runsTheTarballsLauncherHardened() throws Exception {
        Map<String, String> s = settings();
        assertEquals("/opt/swarmgate/bin/swarmgate --config /etc/swarmgate/swarmgate.yaml", s.get("ExecStart"));
        for (String[] kv : new String[][] {{"DynamicUser", "yes"}, {"ProtectSystem", "strict"}, {"ProtectHome", "yes"},
                {"NoNewPrivileges", "yes"}, {"PrivateTmp", "yes"}, {"StateDirectory", "swarmgate"},
                {"ConfigurationDirectory", "swarmgate"}, {"Restart", "on-failure"}, {"KillSignal", "SIGTERM"},
                {"CapabilityBoundingSet", ""}, {"AmbientCapabilities", ""}}) {
            assertEquals(kv[1], s.get(kv[0]), kv[0]);
        }
        assertTrue(!s.containsKey("MemoryDenyWriteExecute"), "the JIT needs writable+executable memory");
    }

    @Test
    void systemdAnalyzeVerifyIsClean(@TempDir Path dir) throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/systemd-analyze"));
        if (System.getenv("CI") != null) {
            assertTrue(present, "CI must have systemd-analyze (.ci/run installs systemd)");
        }
        assumeTrue(present, "systemd-analyze not installed (apt-get install systemd)");
        // verify wants ExecStart to exist: point it at the launcher the tarball ships (src/dist/bin/swarmgate)
        String unit = Files.readString(UNIT).replace("ExecStart=/opt/swarmgate/bin/swarmgate",
                "ExecStart=" + Path.of("src/dist/bin/swarmgate").toAbsolutePath());
        Path copy = Files.writeString(dir.resolve("swarmgate.service"), unit);
        Unpacked.Result r = Unpacked.run(List.of("/usr/bin/systemd-analyze", "verify", copy.toString()),
                Map.of("PATH", "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL", "notice"), dir);
        assertEquals(0, r.exit(), r::output);
        assertEquals("", r.output().strip(), "systemd-analyze verify has remarks");
    }
}
