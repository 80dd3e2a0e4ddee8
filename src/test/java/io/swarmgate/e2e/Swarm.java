package io.swarmgate.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real BitTorrent clients for end-to-end tests: src/test/python/swarm_e2e.py runs Debian's python3-libtorrent as
 * a seeder and a leecher on loopback. The running script: its stdout protocol lines arrive on a queue (read by a thread, so every wait is
 * bounded), its stderr goes to a file that every failure message includes.
 */
final class Swarm implements AutoCloseable {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SCRIPT = Path.of("src/test/python/swarm_e2e.py");
    /** The payload's size; the seeder makes it of random bytes. */
    static final int PAYLOAD_MIB = 4;
    /** The script's own limit for seeding, downloading and announcing; the waits of the tests are longer. */
    static final int EXCHANGE_SECONDS = 90;
    private static final String EOF = "\u0000eof";
    private final Process process;
    private final Path log;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Swarm(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone; EOF below says so
            } finally {
                lines.add(EOF);
            }
        }, "swarm_e2e-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Skips the test when /usr/bin/python3 cannot import libtorrent, except under {@code CI=true}, where that
     * fails: .ci/run installs python3-libtorrent, so a missing module there is a broken build.
     */
    static void requireLibtorrent() throws IOException, InterruptedException {
        boolean available = Files.isExecutable(PYTHON) && probe();
        if (!available && "true".equals(System.getenv("CI"))) {
            fail(PYTHON + " cannot import libtorrent, and CI=true: .ci/run should have installed python3-libtorrent");
        }
        assumeTrue(available, PYTHON + " cannot import libtorrent (apt-get install python3-libtorrent)");
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath() + " is missing (run from the project root)");
    }

    private static boolean probe() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import libtorrent")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    static Swarm start(Path dir) throws IOException {
        Path log = dir.resolve("swarm_e2e.log");
        Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), "--announce", "-",
                "--dir", dir.resolve("work").toString(), "--size-mib", Integer.toString(PAYLOAD_MIB),
                "--timeout", Integer.toString(EXCHANGE_SECONDS), "--hold")
                .redirectError(log.toFile())
                .start();
        return new Swarm(p, log);
    }

    /** Waits for the next protocol line, which must start with {@code prefix}; returns the rest. */
    String expect(String prefix, int seconds) throws InterruptedException {
        String line = lines.poll(seconds, TimeUnit.SECONDS);
        if (line == null) {
            fail("no '" + prefix.strip() + "' from swarm_e2e.py within " + seconds + " s\n" + log());
        }
        if (line.equals(EOF)) {
            lines.add(EOF);
            fail("swarm_e2e.py ended before '" + prefix.strip() + "'" + exitNote() + "\n" + log());
        }
        if (!line.startsWith(prefix)) {
            fail("expected '" + prefix.strip() + "' from swarm_e2e.py, got '" + line + "'\n" + log());
        }
        return line.substring(prefix.length());
    }

    void send(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    int exit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            fail("swarm_e2e.py still running " + seconds + " s after 'stopped'\n" + log());
        }
        return process.exitValue();
    }

    private String exitNote() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? " (exit status " + process.exitValue() + ")" : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    String log() {
        try {
            return "--- swarm_e2e.py stderr ---\n" + Files.readString(log);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /** Ends the script if a failure left it running; its clients then stop without waiting for us. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
