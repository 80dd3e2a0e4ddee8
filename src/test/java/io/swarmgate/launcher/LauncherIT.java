package io.swarmgate.launcher;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The entry point started by an old java (our machines default to 17) hands over to a 21+ JDK. */
class LauncherIT {

    @Test
    void java17HandsOverToANewerJdk() throws Exception {
        Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        assumeTrue(Files.isExecutable(java17), "no Java 17 on this machine to start the launcher with");
        Process p = new ProcessBuilder(java17.toString(), "-cp", System.getProperty("java.class.path"),
                "io.swarmgate.launcher.Launcher", "--help").redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("usage: swarmgate --config FILE"), out);
    }

    @Test
    void readsTheFeatureVersionFromAJdkReleaseFile() throws IOException {
        Path home = Files.createTempDirectory("jdk");
        Files.write(home.resolve("release"), List.of("IMPLEMENTOR=\"x\"", "JAVA_VERSION=\"25.0.3\""));
        assertEquals(25, Launcher.version(home));
        Files.write(home.resolve("release"), List.of("JAVA_VERSION=\"1.8.0_402\""));
        assertEquals(8, Launcher.version(home));
        assertEquals(0, Launcher.version(home.resolve("missing")));
    }

    @Test
    void findsAJdkOfAtLeast21WhenOneIsInstalled() {
        Path java = Launcher.findJava();
        assumeTrue(java != null, "no JDK 21+ in the usual places");
        assertTrue(Launcher.version(java.getParent().getParent()) >= 21);
    }
}
