package io.swarmgate.e2e;

import io.helidon.metadata.hson.Hson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.config.SwarmgateConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The rollout simulator (bench/rollout.py) on one small shape against a tracker with subnet-preference's
 * defaults: two racks of five libtorrent leechers, one seeder in rack 1, num_want 6. Every leecher must
 * complete, and most bytes must stay in their rack: without preference about half cross (the racks are the
 * same size), with the bridge rule rack 2 pulls about one copy of the ten over the backbone. The bound is loose
 * (0.35) because a busy two-core machine makes the exchange noisy; docs/rollouts.md has the measured figures.
 * Needs python3-libtorrent like {@link RealClientIT}: skipped without it, except under CI=true.
 */
class RolloutIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("bench/rollout.py");

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aSmallRolloutCompletesAndStaysMostlyInTheRack(@TempDir Path dir) throws Exception {
        boolean available = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c",
                "import libtorrent").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor() == 0;
        if (!available && "true".equals(System.getenv("CI"))) {
            fail(PYTHON + " cannot import libtorrent, and CI=true: .ci/run should have installed python3-libtorrent");
        }
        assumeTrue(available, "python3-libtorrent is not installed");
        try (Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml("""
                http: {host: 127.0.0.1, port: 0}
                udp: {enabled: false}
                metrics: {enabled: false}
                prehooks:
                  - name: subnet-preference
                    config: {ipv4-prefixes: [24, 16]}
                """), new SimpleMeterRegistry(), InstantSource.system())) {
            Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(),
                    "--announce", "http://127.0.0.1:" + tracker.httpPort() + "/announce",
                    "--racks", "2", "--leechers", "5", "--seeders", "1", "--num-want", "6", "--stagger", "0.1",
                    "--upload-limit", "2", "--size-mib", "2", "--timeout", "120", "--dir", dir.toString())
                    .redirectError(dir.resolve("rollout.log").toFile()).start();
            List<String> out = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
                }
            } finally {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            String log = String.join("\n", out) + "\n" + Files.readString(dir.resolve("rollout.log"));
            String result = out.stream().filter(l -> l.startsWith("result ")).findFirst().orElse(null);
            assertNotNull(result, () -> "no result line:\n" + log);
            Hson.Struct r = Hson.parse(new java.io.ByteArrayInputStream(result.substring("result ".length()).getBytes(StandardCharsets.UTF_8)))
                    .asStruct();
            assertEquals(10, r.intValue("completed").orElseThrow(), () -> "every leecher completes:\n" + log);
            double cross = r.doubleValue("cross_rack_fraction").orElseThrow();
            assertTrue(cross <= 0.35, () -> "cross-rack fraction " + cross + ":\n" + log);
            assertEquals(0, p.exitValue(), log);
        }
    }
}
