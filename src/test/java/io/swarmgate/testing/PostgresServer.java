package io.swarmgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real PostgreSQL server of the test's own: {@code initdb} in a fresh directory, {@code postgres} on a free
 * loopback port, stopped by its PID. PostgreSQL refuses to run as root, so as root both run as the
 * {@code postgres} user (Debian's package creates it) through {@code runuser}, in a directory that user owns.
 *
 * <p>Skipped when no PostgreSQL server binaries are installed, except under {@code CI=true}, where that
 * fails: .ci/run installs Debian's postgresql.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String DATABASE = "swarmgate";
    public static final String USER = "swarmgate";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path bin;
    private final Path dir;
    private final int port;
    private Process process;
    private long pid = -1;

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** initdb, start, create the database; fails the test with the server's log when it does not come up. */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("swarmgate-pg");
        if (ROOT) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
        }
        PostgresServer pg = new PostgresServer(bin, dir, freePort());
        pg.run("initdb", "-D", pg.data().toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync",
                "--no-instructions");
        pg.startServer();
        pg.run("createdb", "-h", "127.0.0.1", "-p", Integer.toString(pg.port), "-U", USER, DATABASE);
        return pg;
    }

    private static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        Path found = null;
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())))
                        .orElse(null);
            }
        }
        if (found == null && "true".equals(System.getenv("CI"))) {
            fail("no PostgreSQL server under /usr/lib/postgresql, and CI=true: .ci/run should have installed postgresql");
        }
        assumeTrue(found != null, "no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)");
        return found;
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path log() {
        return dir.resolve("postgres.log");
    }

    private List<String> asPostgres(String program, String... args) {
        List<String> cmd = new ArrayList<>();
        if (ROOT) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(program).toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void run(String program, String... args) throws IOException, InterruptedException {
        Path out = dir.resolve(program + ".out");
        Process p = new ProcessBuilder(asPostgres(program, args)).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(program + " did not finish within 120 s:\n" + Files.readString(out));
        }
        if (p.exitValue() != 0) {
            fail(program + " exited with " + p.exitValue() + ":\n" + Files.readString(out));
        }
    }

    private void startServer() throws IOException, InterruptedException {
        // fsync off: the OS survives our "crash" (an immediate shutdown), so what was written to it is kept;
        // synchronous_commit stays on, so a commit the tracker saw is in the WAL when the server is killed
        process = new ProcessBuilder(asPostgres("postgres", "-D", data().toString(), "-p", Integer.toString(port),
                "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "full_page_writes=off", "-c", "max_connections=40"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!process.isAlive()) {
                fail("postgres exited with " + process.exitValue() + ":\n" + Files.readString(log()));
            }
            if (accepts()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                fail("postgres did not accept connections within 60 s:\n" + Files.readString(log()));
            }
            process.waitFor(20, TimeUnit.MILLISECONDS);
        }
        pid = Long.parseLong(Files.readAllLines(data().resolve("postmaster.pid")).getFirst().strip());
    }

    private boolean accepts() {
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER + "&connectTimeout=2")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?user=" + USER;
    }

    /** A new empty database on this server, so that tests sharing the server do not see each other's rows. */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER);
             java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?user=" + USER;
    }

    /** A connection for the test's own queries (auto-commit). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /**
     * Kills the server the way a crash would: an immediate shutdown (SIGQUIT to the postmaster's PID), which
     * ends every backend without a checkpoint; the next start runs crash recovery.
     */
    public void kill() throws IOException, InterruptedException {
        signal("QUIT");
        awaitExit();
    }

    /** Starts the killed server again on the same data and port. */
    public void restart() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("postgres is still running");
        }
        startServer();
    }

    private void signal(String name) throws IOException, InterruptedException {
        if (pid < 0 || process == null || !process.isAlive()) {
            return;
        }
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        k.waitFor(10, TimeUnit.SECONDS);
    }

    private void awaitExit() throws InterruptedException {
        if (process != null && !process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        ProcessHandle.of(pid).ifPresent(h -> {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        });
        pid = -1;
    }

    /** A fast shutdown (SIGINT to the postmaster's PID), then the directory is removed. */
    @Override
    public void close() throws IOException, InterruptedException {
        signal("INT");
        awaitExit();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
