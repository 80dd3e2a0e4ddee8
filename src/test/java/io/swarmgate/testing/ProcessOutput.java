package io.swarmgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A child tracker's combined stdout and stderr, written to a file: {@link Process#destroy()} closes the parent's
 * end of the pipes, so the lines logged while shutting down would be lost from a pipe.
 */
public record ProcessOutput(Path file) {
    private static final Pattern STARTED =
            Pattern.compile("swarmgate started: http port (\\d+), udp (?:port (\\d+)|off), metrics (?:port (\\d+)|off)");

    /** The ports of the "swarmgate started" line: http, udp, metrics (-1 for off). */
    public int[] awaitPorts(Process process, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Matcher m = STARTED.matcher(text());
            if (m.find()) {
                return new int[] {Integer.parseInt(m.group(1)), port(m.group(2)), port(m.group(3))};
            }
            if (!process.isAlive()) {
                fail("the tracker exited with " + process.exitValue() + " before starting\n" + this);
            }
            Thread.sleep(50); // polling the child's log file, bounded by the deadline
        }
        return fail("no 'swarmgate started' line within " + seconds + " s\n" + this);
    }

    private static int port(String group) {
        return group == null ? -1 : Integer.parseInt(group);
    }

    public String text() {
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
