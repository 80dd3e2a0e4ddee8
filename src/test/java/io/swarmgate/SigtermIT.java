package io.swarmgate;

import io.swarmgate.bencode.Bencode;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tracker as a service manager runs it: its own JVM started with {@code --config}, stopped with SIGTERM.
 * It must answer announces, then shut down in order and exit with status 0 (not the JVM's 143, which systemd
 * and CI read as a crash).
 */
class SigtermIT {
    private static final Pattern STARTED = Pattern.compile("swarmgate started: http port (\\d+)");

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
        Output output = new Output(dir.resolve("tracker.log"));
        try {
            int port = output.awaitPort(process, 90);
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

    /**
     * The child's combined stdout and stderr, written to a file: {@link Process#destroy()} closes the parent's
     * end of the pipes, so the lines logged while shutting down would be lost from a pipe.
     */
    private record Output(Path file) {
        int awaitPort(Process process, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                Matcher m = STARTED.matcher(toString());
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
                if (!process.isAlive()) {
                    return fail("the tracker exited with " + process.exitValue() + " before starting\n" + this);
                }
                Thread.sleep(50);
            }
            return fail("no 'swarmgate started' line within " + seconds + " s\n" + this);
        }

        String text() {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                return "(cannot read " + file + ": " + e + ")";
            }
        }

        @Override
        public String toString() {
            return "--- tracker output ---\n" + text();
        }
    }
}
