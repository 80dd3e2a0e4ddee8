package io.swarmgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real Redis servers for tests: Debian's redis-server on loopback, without persistence, each stopped by its PID.
 * A single server takes a free port; Cluster nodes take ports in 23000-23999 (this suite's range; a node also
 * listens on port + 10000 for its cluster bus, which must stay below 65536), or in the 1,000 ports from the system
 * property {@code swarmgate.test.cluster-ports} when it is set (another job's range on a shared machine).
 * {@code .ci/run} installs redis-server and redis-tools, so under {@code CI=true} a missing binary fails.
 */
public final class RedisServers implements AutoCloseable {
    private static final String SERVER = "/usr/bin/redis-server";
    private static final String CLI = "/usr/bin/redis-cli";
    /** First port of the 1,000 the Cluster nodes may take. */
    private static final int CLUSTER_PORTS = Integer.getInteger("swarmgate.test.cluster-ports", 23_000);

    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();
    private final boolean cluster;

    /** One server process: its port and PID. */
    public static final class Node {
        public final int port;
        private Process process;

        Node(int port) {
            this.port = port;
        }

        public long pid() {
            return process.pid();
        }
    }

    private RedisServers(Path dir, boolean cluster) {
        this.dir = dir;
        this.cluster = cluster;
    }

    public static boolean available() {
        return Files.isExecutable(Path.of(SERVER)) && Files.isExecutable(Path.of(CLI));
    }

    /** One server on a free loopback port. */
    public static RedisServers single() {
        RedisServers s = new RedisServers(tempDir(), false);
        try {
            s.start(new Node(freePort()));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** A Cluster of three masters (no replicas), every slot assigned, ready to serve. */
    public static RedisServers cluster() {
        RedisServers s = new RedisServers(tempDir(), true);
        try {
            int base = CLUSTER_PORTS + ThreadLocalRandom.current().nextInt(300) * 3;
            List<String> addresses = new ArrayList<>();
            int next = base;
            for (int i = 0; i < 3; i++) {
                // a port found free can be taken before the node binds it (other suites on this machine, the
                // ephemeral range covering bus ports): a node that does not come up is stopped, the next pair tried
                for (int attempt = 1; ; attempt++) {
                    int port = clusterPort(next);
                    next = port + 1;
                    Node node = new Node(port);
                    try {
                        s.start(node);
                        addresses.add("127.0.0.1:" + port);
                        break;
                    } catch (IllegalStateException e) {
                        s.nodes.remove(node);
                        if (node.process != null) {
                            node.process.destroyForcibly();
                        }
                        if (attempt == 3) {
                            throw e;
                        }
                    }
                }
            }
            List<String> create = new ArrayList<>(List.of(CLI, "--cluster", "create"));
            create.addAll(addresses);
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create);
            for (Node n : s.nodes) {
                waitFor(n.port, "cluster_state:ok", "CLUSTER", "INFO");
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The URI the tracker is configured with (the first node: a seed, for a Cluster). */
    public String uri() {
        return "redis://127.0.0.1:" + nodes.getFirst().port + (cluster ? "" : "/0");
    }

    public boolean isCluster() {
        return cluster;
    }

    private void start(Node node) {
        Path nodeDir = dir.resolve("n" + node.port);
        List<String> cmd = new ArrayList<>(List.of(SERVER, "--port", Integer.toString(node.port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", nodeDir.toString(), "--logfile", nodeDir.resolve("redis.log").toString()));
        if (cluster) {
            cmd.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file",
                    nodeDir.resolve("nodes.conf").toString(), "--cluster-node-timeout", "5000"));
        }
        try {
            Files.createDirectories(nodeDir);
            node.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(nodeDir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!nodes.contains(node)) {
            nodes.add(node);
        }
        waitFor(node.port, "PONG", "PING");
    }

    /** SIGKILL: the server vanishes as in a crash, connections reset. */
    public void kill(Node node) {
        node.process.destroyForcibly();
        try {
            node.process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: the server hangs with its connections open, as an overloaded or swapped-out one would. */
    public void pause(Node node) {
        signal(node, "-STOP");
    }

    /** SIGCONT after {@link #pause}: it answers everything it has read meanwhile. */
    public void resume(Node node) {
        signal(node, "-CONT");
    }

    private static void signal(Node node, String signal) {
        run(List.of("kill", signal, Long.toString(node.pid())));
    }

    /** Starts a killed single server again on its port, empty (no persistence). */
    public void restart(Node node) {
        start(node);
    }

    /** One redis-cli command against a node; its output. */
    public String cli(Node node, String... args) {
        List<String> cmd = new ArrayList<>(List.of(CLI, "-h", "127.0.0.1", "-p", Integer.toString(node.port)));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Sum over all nodes of one command's {@code calls} in INFO commandstats (e.g. "fcall"). */
    public long calls(String command) {
        long sum = 0;
        for (Node n : nodes) {
            sum += commandStats(n).getOrDefault(command, 0L);
        }
        return sum;
    }

    /** Reads redis-server made from its clients' sockets, over all nodes (INFO stats total_reads_processed). */
    public long reads() {
        long sum = 0;
        for (Node n : nodes) {
            sum += reads(n);
        }
        return sum;
    }

    private long reads(Node n) {
        for (String line : cli(n, "INFO", "stats").split("\n")) {
            if (line.startsWith("total_reads_processed:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new IllegalStateException("no total_reads_processed in INFO stats of port " + n.port);
    }

    /** Every command's calls, summed over all nodes. */
    public java.util.Map<String, Long> commandStats() {
        java.util.Map<String, Long> sum = new java.util.TreeMap<>();
        for (Node n : nodes) {
            commandStats(n).forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        return sum;
    }

    private java.util.Map<String, Long> commandStats(Node n) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (String line : cli(n, "INFO", "commandstats").split("\n")) {
            // cmdstat_fcall:calls=12,usec=...
            line = line.strip();
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String calls = line.substring(line.indexOf("calls=") + 6, line.indexOf(','));
                out.put(name, Long.parseLong(calls));
            }
        }
        return out;
    }

    /**
     * Records the commands clients send to every node, by MONITOR, until {@link Monitor#stop()}. A command a
     * script runs shows as coming from "lua" and is left out: what remains is what went over the network.
     */
    public Monitor monitor() {
        return new Monitor(nodes);
    }

    /** Top-level commands seen by MONITOR, by name, summed over the nodes. */
    public static final class Monitor {
        private final List<Socket> sockets = new ArrayList<>();
        private final List<Node> nodes;

        Monitor(List<Node> nodes) {
            this.nodes = List.copyOf(nodes);
            try {
                for (Node n : this.nodes) {
                    Socket s = new Socket("127.0.0.1", n.port);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
                    sockets.add(s);
                    String ok = readLine(s);
                    if (!ok.equals("+OK")) {
                        throw new IllegalStateException("MONITOR refused: " + ok);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Sends a marker to every node, reads each node's stream up to it and closes: every command sent before
         * the call is counted.
         */
        public java.util.Map<String, Long> stop() {
            java.util.Map<String, Long> out = new java.util.TreeMap<>();
            String marker = "swarmgate-monitor-end-" + System.nanoTime();
            try {
                for (int i = 0; i < sockets.size(); i++) {
                    Socket s = sockets.get(i);
                    try (Socket ping = new Socket("127.0.0.1", nodes.get(i).port)) {
                        ping.getOutputStream().write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        readLine(ping);
                    }
                    while (true) {
                        String line = readLine(s);
                        if (line.contains(marker)) {
                            break;
                        }
                        // +1700000000.123456 [0 127.0.0.1:40000] "fcall" "..."
                        int close = line.indexOf(']');
                        String source = line.substring(line.indexOf('[') + 1, close);
                        if (source.endsWith(" lua")) {
                            continue;
                        }
                        int q = line.indexOf('"', close);
                        String command = line.substring(q + 1, line.indexOf('"', q + 1)).toLowerCase(java.util.Locale.ROOT);
                        out.merge(command, 1L, Long::sum);
                    }
                    s.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        private static String readLine(Socket s) throws IOException {
            StringBuilder b = new StringBuilder();
            java.io.InputStream in = s.getInputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    break;
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }
    }

    /** CONFIG RESETSTAT on every node. */
    public void resetStats() {
        for (Node n : nodes) {
            assertEquals("OK", cli(n, "CONFIG", "RESETSTAT").strip());
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            if (n.process != null) {
                kill(n);
            }
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static Path tempDir() {
        if (!available()) {
            fail("redis-server and redis-cli are needed (.ci/run installs redis-server and redis-tools)");
        }
        try {
            return Files.createTempDirectory("swarmgate-redis");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first port from {@code from} on (within the Cluster range) where neither it nor its bus port is taken. */
    private static int clusterPort(int from) {
        for (int p = from; p < CLUSTER_PORTS + 990; p += 1) {
            if (free(p) && free(p + 10_000)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port pair in " + CLUSTER_PORTS + "-" + (CLUSTER_PORTS + 999));
    }

    private static boolean free(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void waitFor(int port, String expected, String... command) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            List<String> cmd = new ArrayList<>(List.of(CLI, "-h", "127.0.0.1", "-p", Integer.toString(port)));
            cmd.addAll(List.of(command));
            try {
                last = run(cmd);
                if (last.contains(expected)) {
                    return;
                }
            } catch (IllegalStateException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(20); // polling a server that starts on its own schedule
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("redis on port " + port + " did not answer " + expected + ": " + last);
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(cmd + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
