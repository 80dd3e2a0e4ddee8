package io.swarmgate.deploy;

import io.swarmgate.bencode.Bencode;
import io.swarmgate.testing.ProcessOutput;
import io.swarmgate.testing.RawHttp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What the artifact tests share: the built files, unpacking with tar, and one run of a tracker child. */
final class Unpacked {
    static final String VERSION = System.getProperty("swarmgate.version", "");
    static final Path TARGET = Path.of("target").toAbsolutePath();

    private Unpacked() {
    }

    /** A file the package phase must have built (DistIT and ImageIT run after it). */
    static Path built(String name) {
        assertFalse(VERSION.isEmpty(), "run by failsafe with -Dswarmgate.version (./mvnw verify)");
        Path file = TARGET.resolve(name);
        assertTrue(Files.isRegularFile(file), () -> file + " was not built by the package phase");
        return file;
    }

    /** {@code tar -x[z]f archive -C dir}. */
    static void untar(Path archive, Path dir, boolean gzip) throws Exception {
        Files.createDirectories(dir);
        Result r = run(List.of("tar", gzip ? "-xzf" : "-xf", archive.toString(), "-C", dir.toString()), Map.of(), dir);
        assertEquals(0, r.exit(), r::output);
    }

    record Result(int exit, String output) {
    }

    /** Runs a short command to its end (bounded) with exactly {@code env}; output is stdout and stderr. */
    static Result run(List<String> command, Map<String, String> env, Path cwd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail(command + " did not end within 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /**
     * Starts a tracker with {@code command} and {@code env}, announces over HTTP, checks the answer (interval
     * {@code interval} seconds), sends SIGTERM and expects exit status 0. Returns the process' log.
     */
    static String announceAndStop(List<String> command, Map<String, String> env, Path cwd, Path log, long interval,
                                  ProcessCheck whileRunning) throws Exception {
        return announceAndStop(command, env, cwd, log, interval, whileRunning, Process::toHandle);
    }

    /** As above; SIGTERM goes to {@code tracker(process)} (the JVM inside a container's namespaces). */
    static String announceAndStop(List<String> command, Map<String, String> env, Path cwd, Path log, long interval,
                                  ProcessCheck whileRunning, java.util.function.Function<Process, ProcessHandle> tracker)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process process = pb.start();
        ProcessOutput output = new ProcessOutput(log);
        try {
            int port = output.awaitPorts(process, 60)[0];
            RawHttp.Response r = RawHttp.get(null, "127.0.0.1", port, "/announce?info_hash=" + pct(id20("dist"))
                    + "&peer_id=" + pct(id20("p")) + "&port=6881&uploaded=0&downloaded=0&left=0&event=started");
            assertEquals(200, r.status(), r::text);
            Map<String, Object> answer = Bencode.decodeDict(r.body());
            assertEquals(interval, answer.get("interval"), () -> "announce answered " + r.text());
            whileRunning.check(process);
            assertTrue(tracker.apply(process).destroy(), "SIGTERM not sent");
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), () -> "still running 20 s after SIGTERM\n" + output);
            assertEquals(0, process.exitValue(), () -> "exit status after SIGTERM\n" + output);
            String text = output.text();
            assertTrue(text.contains("stopped"), () -> "shutdown not logged\n" + text);
            return text;
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    interface ProcessCheck {
        void check(Process process) throws Exception;
    }

    static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }
}
