package io.swarmgate.launcher;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The jar's entry point, compiled for Java 17 so it runs on the default {@code java} of our machines. The
 * tracker needs Java 21+: on a new enough JVM this hands straight over to {@code io.swarmgate.Main}; on an
 * older one it looks for a 21+ JDK ({@code JAVA_HOME}, then {@code /usr/lib/jvm} and other usual places),
 * runs the jar there with the same arguments and JVM options, forwards SIGTERM/SIGINT, and exits with the
 * child's status. Without one it says what to install.
 */
public final class Launcher {
    static final int REQUIRED = 21;
    private static final String GUARD = "_SWARMGATE_RELAUNCHED";

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        if (Runtime.version().feature() >= REQUIRED) {
            Class.forName("io.swarmgate.Main").getMethod("main", String[].class).invoke(null, (Object) args);
            return;
        }
        Path java = System.getenv(GUARD) == null ? findJava() : null;
        if (java == null) {
            System.err.println("swarmgate needs Java " + REQUIRED + " or newer; this is Java "
                    + Runtime.version() + " (" + System.getProperty("java.home") + ").\n"
                    + "No JDK " + REQUIRED + "+ was found in JAVA_HOME or /usr/lib/jvm. Install one (for example"
                    + " Temurin 21 or 25, or Debian's openjdk-21-jre-headless where available) and run again,"
                    + " or point JAVA_HOME at it.");
            System.exit(1);
        }
        System.exit(relaunch(java, args));
    }

    private static int relaunch(Path java, String[] args) throws IOException, URISyntaxException,
            InterruptedException {
        Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (Files.isDirectory(jar)) {
            // running from target/classes (tests): pass the class path along
            command.add("--enable-native-access=ALL-UNNAMED"); // a jar's manifest says so itself
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("io.swarmgate.Main");
        } else {
            command.add("-jar");
            command.add(jar.toString());
        }
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put(GUARD, "1");
        Process child = pb.start();
        // SIGTERM/SIGINT to us run this hook: pass the signal on, wait, and leave with the child's status
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (child.isAlive()) {
                child.destroy();
                try {
                    Runtime.getRuntime().halt(child.waitFor());
                } catch (InterruptedException e) {
                    Runtime.getRuntime().halt(1);
                }
            }
        }));
        return child.waitFor();
    }

    /** The newest JDK of version 21+ found, or null. */
    static Path findJava() {
        Path best = null;
        int bestVersion = 0;
        List<Path> homes = new ArrayList<>();
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            homes.add(Path.of(javaHome));
        }
        for (String root : new String[] {"/usr/lib/jvm", "/usr/java", "/opt/java", "/opt",
                System.getProperty("user.home") + "/.jdks", System.getProperty("user.home") + "/.sdkman/candidates/java"}) {
            Path dir = Path.of(root);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    homes.add(p);
                }
            } catch (IOException e) {
                // unreadable directory: skip it
            }
        }
        for (Path home : homes) {
            Path java = home.resolve("bin").resolve(File.separatorChar == '\\' ? "java.exe" : "java");
            int version = version(home);
            if (Files.isExecutable(java) && version >= REQUIRED && version > bestVersion) {
                best = java;
                bestVersion = version;
            }
        }
        return best;
    }

    /** The feature version from a JDK's {@code release} file ({@code JAVA_VERSION="25.0.1"}), or 0. */
    static int version(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "").strip();
                    int end = 0;
                    while (end < v.length() && Character.isDigit(v.charAt(end))) {
                        end++;
                    }
                    int feature = end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
                    return feature == 1 ? 8 : feature; // "1.8.0_x" is Java 8
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
