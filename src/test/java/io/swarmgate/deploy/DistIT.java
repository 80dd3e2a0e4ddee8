package io.swarmgate.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release tarball as an operator uses it: unpacked anywhere, run through a symbolic link, on a machine whose
 * PATH has no java and without JAVA_HOME (the tarball's own jlink runtime must do).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DistIT {
    @TempDir
    static Path dir;
    static Path home;
    /** The environment of every run: a PATH holding only readlink (for the script), no JAVA_HOME. */
    static Map<String, String> env;

    @BeforeAll
    static void unpack() throws Exception {
        Unpacked.untar(Unpacked.built("swarmgate-" + Unpacked.VERSION + ".tar.gz"), dir.resolve("opt"), true);
        home = dir.resolve("opt/swarmgate-" + Unpacked.VERSION);
        Path path = Files.createDirectories(dir.resolve("path-bin"));
        Files.createSymbolicLink(path.resolve("readlink"), Path.of("/usr/bin/readlink"));
        assertFalse(Files.exists(path.resolve("java")));
        env = Map.of("PATH", path.toString());
    }

    private static Unpacked.Result swarmgate(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(home.resolve("bin/swarmgate").toString()));
        command.addAll(List.of(args));
        return Unpacked.run(command, env, dir);
    }

    @Test
    void theTarballHoldsTheDocumentedLayout() {
        for (String entry : List.of("bin/swarmgate", "runtime/bin/java", "runtime/release", "lib/swarmgate.jar",
                "config/swarmgate.yaml", "keys-example/jwks.json", "deploy/systemd/swarmgate.service",
                "deploy/docker/compose.yaml", "deploy/kubernetes/base/kustomization.yaml", "LICENSE", "README.md")) {
            assertTrue(Files.exists(home.resolve(entry)), entry);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/swarmgate")));
        assertTrue(Files.isExecutable(home.resolve("runtime/bin/java")));
    }

    @Test
    void versionAndHelpRunOnTheShippedRuntime() throws Exception {
        Unpacked.Result version = swarmgate("--version");
        assertEquals(0, version.exit(), version.output());
        assertEquals("swarmgate " + Unpacked.VERSION + "\n", version.output());
        Unpacked.Result help = swarmgate("config", "check", "--help");
        assertEquals(0, help.exit(), help.output());
        assertTrue(help.output().startsWith("usage: swarmgate config check FILE"), help.output());
    }

    @Test
    void configCheckAcceptsTheShippedFileAndNamesTheBadKey() throws Exception {
        Unpacked.Result good = swarmgate("config", "check", home.resolve("config/swarmgate.yaml").toString());
        assertEquals(0, good.exit(), good.output());
        assertTrue(good.output().contains("udp{enabled=true, host=::, port=6969"), good.output());

        Path bad = Unpacked.write(dir.resolve("bad.yaml"), "tracker:\n  annonce-interval: 5m\n");
        Unpacked.Result refused = swarmgate("config", "check", bad.toString());
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().startsWith("configuration error: tracker.annonce-interval: unknown key"),
                refused.output());
    }

    @Test
    void theTrackerRunsThroughASymlinkWithJavaOptsAndEnvironmentOverrides() throws Exception {
        Path config = Unpacked.write(dir.resolve("etc/swarmgate.yaml"), """
                http: {host: 127.0.0.1, port: 0}
                udp: {host: 127.0.0.1, port: 0}
                metrics: {host: 127.0.0.1, port: 0}
                """);
        Path link = Files.createDirectories(dir.resolve("usr-local-bin")).resolve("swarmgate");
        Files.createSymbolicLink(link, home.resolve("bin/swarmgate"));
        Map<String, String> withOptions = new java.util.HashMap<>(env);
        withOptions.put("JAVA_OPTS", "-Xmx96m -Dswarmgate.test=dist");
        withOptions.put("SWARMGATE_TRACKER__ANNOUNCE_INTERVAL", "20m");
        String log = Unpacked.announceAndStop(List.of(link.toString(), "--config", config.toString()), withOptions,
                dir, dir.resolve("tracker.log"), 1200, process -> {
                    ProcessHandle.Info info = process.toHandle().info();
                    assertEquals(home.resolve("runtime/bin/java").toRealPath().toString(), info.command().orElseThrow(),
                            "the script execs the shipped runtime");
                    List<String> args = List.of(info.arguments().orElseThrow());
                    List<String> shipped = shippedJvmOptions();
                    assertTrue(shipped.contains("-XX:+UseG1GC") && shipped.contains("-Xmx192m"), shipped::toString);
                    assertEquals(shipped, args.subList(0, shipped.size()),
                            "the options of config/jvm.options come first, in the file's order");
                    assertEquals(List.of("-Xmx96m", "-Dswarmgate.test=dist"),
                            args.subList(shipped.size(), shipped.size() + 2),
                            "JAVA_OPTS come after them, so they win");
                });
        assertTrue(log.contains("announce-interval=20m"), log);
        assertFalse(log.contains("Exception"), log);
    }

    /** The option lines of the installed config/jvm.options (comments and blank lines left out). */
    private List<String> shippedJvmOptions() throws java.io.IOException {
        return Files.readAllLines(home.resolve("config/jvm.options")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .toList();
    }
}
