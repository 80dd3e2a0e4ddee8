package io.swarmgate;

import io.swarmgate.bencode.Bencode;
import io.swarmgate.testing.ProcessOutput;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tracker as a service manager runs it: its own JVM started with {@code --config}, stopped with SIGTERM.
 * It must answer announces, then shut down in order and exit with status 0 (not the JVM's 143, which systemd
 * and CI read as a crash).
 */
class SigtermIT {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sigtermStopsTheTrackerCleanlyWithStatusZero(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("swarmgate.yaml"), """
                http: {port: 0}
                udp: {enabled: false}
                metrics: {enabled: false}
                """);
        String java = ProcessHandle.current().info().command().orElseThrow();
        // Surefire puts the test classpath in java.class.path even when it boots from a manifest-only jar
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("tracker.log").toFile())
                .start();
        ProcessOutput output = new ProcessOutput(dir.resolve("tracker.log"));
        try {
            int port = output.awaitPorts(process, 90)[0];
            RawHttp.Response r = RawHttp.get(null, "127.0.0.1", port, "/announce?info_hash=" + pct(id20("sigterm"))
                    + "&peer_id=" + pct(id20("p")) + "&port=6881&uploaded=0&downloaded=0&left=0&event=started");
            assertEquals(200, r.status(), r::text);
            Map<String, Object> answer = Bencode.decodeDict(r.body());
            assertTrue(answer.containsKey("interval"), () -> "announce answered " + r.text());

            process.destroy(); // SIGTERM on Linux and macOS
            assertTrue(process.waitFor(15, TimeUnit.SECONDS), () -> "still running 15 s after SIGTERM\n" + output);
            assertEquals(0, process.exitValue(), () -> "exit status after SIGTERM\n" + output);
            String log = output.text();
            assertTrue(log.contains("shutting down") && log.contains("stopped"), () -> "shutdown not logged\n" + log);
            assertTrue(!log.contains("Exception"), () -> "an exception while stopping\n" + log);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        }
    }
}
