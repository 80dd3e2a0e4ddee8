package io.swarmgate.metrics;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus's own checker. Tests using it are skipped, saying why, where it is not installed. */
final class Promtool {
    record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    static Path require() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        Assumptions.abort("promtool not on PATH: install it (Debian: apt-get install prometheus) to check the "
                + "exposition format and dashboard queries");
        throw new AssertionError("unreachable");
    }

    /** Runs promtool with {@code args}, feeding {@code stdin} (may be null). */
    static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(require().toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool did not finish in 60 s");
        }
        return new Result(p.exitValue(), out);
    }
}
