package io.swarmgate.cli;

import io.swarmgate.bench.Bench;
import io.swarmgate.bench.BenchPlan;
import io.swarmgate.bench.BenchResult;
import io.swarmgate.bench.FloorServer;
import io.swarmgate.bench.Workload;
import io.swarmgate.config.Durations;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code swarmgate bench udp|http --target HOST:PORT ...}: the load generator operators use for capacity
 * planning. It refuses a target that is not on this machine unless {@code --allow-remote} says so: a load
 * generator pointed at somebody else's tracker by mistake is a denial of service.
 */
public final class BenchCommand {
    static final String USAGE = """
            usage: swarmgate bench udp|http --target HOST:PORT [--duration 20s] [--warmup 2s] [--swarms 1000]
                                   [--peers N] [--peer-seed N] [--sockets 16] [--window 4] [--threads N] [--scrape]
                                   [--keep-alive]
                                   [--numwant 50] [--timeout 1s] [--rate N] [--tracker-pid PID] [--allow-remote]
                                   [--jwt-key FILE [--jwt-issuer ISS] [--jwt-audience AUD]]
                   swarmgate bench --print-infohashes [--swarms 1000] | --write-infohashes FILE [--swarms 1000]
                   swarmgate bench floor-server [--port 0] [--host 127.0.0.1]

              Loads one tracker with BEP 15 (udp) or HTTP announces, or scrapes with --scrape, and prints
              the answers per second and the latency p50/p99/p999 of the measured window, after --warmup.
              udp   --sockets UDP sockets, --window requests in flight on each; each socket does the BEP 15
                    connect handshake first and re-connects every minute. --threads threads share the
                    sockets, each through one selector (default: one per core this process may use, so
                    `taskset -c 1` means one thread, and the generator does not measure its own scheduling).
              http  --sockets x --window connections, one request in flight on each: a new connection per
                    request (Connection: close, like BitTorrent clients) or, with --keep-alive, one kept open.
              --peers simulated peers (default 50 per swarm, random peer ids and ports), a fifth of each
                    swarm seeding; a peer's first announce says event=started. --scrape first announces
                    every peer once, then scrapes one random swarm per request.
              --peer-seed N derives the peer ids and ports from N and each peer's number instead: runs with
                    the same N announce the same peers, whatever the protocol, sockets or threads, so repeated
                    runs against one tracker keep its swarms at --peers (random ones add --peers each run).
              --jwt-key signs one token per swarm with this private JWK (from `swarmgate keys generate`)
                    and sends it as jwt= (BEP 41 URL data over UDP); issuer and audience default to
                    swarmgate-bench.
              --rate N offers N requests/s in all, open loop (evenly spaced, whether or not answers came;
                    latency counts from when a request was due); a request due while every slot is busy
                    waits for one. Default: closed loop, as fast as the answers come.
              --tracker-pid adds the tracker's CPU share (Linux /proc) to the report.
              --print-infohashes / --write-infohashes FILE: the info_hashes the bench uses, one hex per line
                    (a whitelist for trackers that need one; they do not change between runs).
              floor-server: a Helidon server with one trivial GET /announce route (a fixed answer), run until
                    killed; the same bench against it gives Helidon's own floor on this machine.
              Only loopback targets unless --allow-remote. Exit status: 0 done, 1 the run failed, 2 usage.
            """;

    private BenchCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("floor-server")) {
            return floorServer(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        BenchPlan plan;
        try {
            Options o = Options.parse(args, Set.of("target", "duration", "warmup", "swarms", "peers", "sockets",
                    "window", "threads", "numwant", "peer-seed", "timeout", "tracker-pid", "rate", "jwt-key", "jwt-issuer",
                    "jwt-audience", "write-infohashes"), Set.of("scrape", "keep-alive", "allow-remote", "print-infohashes", "help"));
            if (o.flag("help")) {
                out.print(USAGE);
                return 0;
            }
            int swarms = integer(o, "swarms", 1000, 1, 10_000_000);
            if (o.flag("print-infohashes") || o.get("write-infohashes", null) != null) {
                return infoHashes(o, swarms, out, err);
            }
            if (o.positional().size() != 1) {
                throw new Options.UsageException(o.positional().isEmpty() ? "say udp or http"
                        : "unexpected argument '" + o.positional().get(1) + "'");
            }
            BenchPlan.Protocol protocol = switch (o.positional().get(0)) {
                case "udp" -> BenchPlan.Protocol.UDP;
                case "http" -> BenchPlan.Protocol.HTTP;
                default -> throw new Options.UsageException("unknown protocol '" + o.positional().get(0)
                        + "': udp or http");
            };
            if (protocol == BenchPlan.Protocol.UDP && o.flag("keep-alive")) {
                throw new Options.UsageException("--keep-alive is for http");
            }
            InetSocketAddress target = target(o.required("target"), o.flag("allow-remote"));
            int peers = integer(o, "peers", (int) Math.min(Integer.MAX_VALUE, 50L * swarms), swarms,
                    Integer.MAX_VALUE);
            int numWant = integer(o, "numwant", 50, 0, 10_000);
            List<String> tokens = tokens(o, swarms);
            try {
                plan = new BenchPlan(protocol, target, duration(o, "duration", "20s"), duration(o, "warmup", "2s"),
                        integer(o, "sockets", 16, 1, 1024), integer(o, "window", 4, 1, 4096), o.flag("scrape"),
                        o.flag("keep-alive"), duration(o, "timeout", "1s"),
                        integer(o, "tracker-pid", 0, 0, Integer.MAX_VALUE),
                        new Workload(swarms, peers, numWant, tokens, peerSeed(o)), integer(o, "rate", 0, 0, 10_000_000),
                        integer(o, "threads", 0, 1, 1024));
            } catch (IllegalArgumentException e) {
                throw new Options.UsageException(e.getMessage());
            }
        } catch (Options.UsageException e) {
            return usage(err, "swarmgate bench", e);
        }
        try {
            BenchResult result = Bench.run(plan, err);
            out.print(result.summary());
            out.println(result.machineLine());
            return 0;
        } catch (IOException e) {
            return failed(err, "swarmgate bench", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("swarmgate bench: interrupted");
            return 1;
        }
    }

    private static int floorServer(String[] args, PrintStream out, PrintStream err) {
        String host;
        int port;
        try {
            Options o = Options.parse(args, Set.of("host", "port"), Set.of());
            if (!o.positional().isEmpty()) {
                throw new Options.UsageException("unexpected argument '" + o.positional().get(0) + "'");
            }
            host = o.get("host", "127.0.0.1");
            port = integer(o, "port", 0, 0, 65_535);
        } catch (Options.UsageException e) {
            return usage(err, "swarmgate bench floor-server", e);
        }
        try (FloorServer server = FloorServer.start(host, port)) {
            out.println("floor server: GET http://" + host + ":" + server.port() + "/announce (a fixed answer);"
                    + " stop it with SIGTERM");
            out.flush();
            java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
            return 0;
        } catch (IllegalStateException e) {
            return failed(err, "swarmgate bench floor-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Exit status 2: the message, then the usage text. */
    private static int usage(PrintStream err, String command, Options.UsageException e) {
        err.println(command + ": " + e.getMessage());
        err.print(USAGE);
        return 2;
    }

    /** Exit status 1: the run failed for a reason the message says. */
    private static int failed(PrintStream err, String command, Exception e) {
        err.println(command + ": " + e.getMessage());
        return 1;
    }

    private static int infoHashes(Options o, int swarms, PrintStream out, PrintStream err)
            throws Options.UsageException {
        String file = o.get("write-infohashes", null);
        if (file == null) {
            StringBuilder sb = new StringBuilder();
            Bench.appendInfoHashes(swarms, sb);
            out.print(sb);
            return 0;
        }
        try {
            Bench.writeInfoHashes(swarms, Path.of(file));
            out.println("wrote " + swarms + " info_hashes to " + file);
            return 0;
        } catch (IOException e) {
            err.println("swarmgate bench: cannot write " + file + ": " + e.getMessage());
            return 1;
        }
    }

    /** HOST:PORT, [IPv6]:PORT; a host name is resolved once, here. */
    static InetSocketAddress target(String text, boolean allowRemote) throws Options.UsageException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new Options.UsageException("--target must be HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65_535) {
            throw new Options.UsageException("--target port must be 1..65535, got '" + text.substring(colon + 1)
                    + "'");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new Options.UsageException("--target: unknown host '" + host + "'");
        }
        if (!address.isLoopbackAddress() && !allowRemote) {
            throw new Options.UsageException("refusing to load " + address.getHostAddress()
                    + ", which is not this machine; add --allow-remote to load a tracker you operate elsewhere");
        }
        return new InetSocketAddress(address, port);
    }

    private static List<String> tokens(Options o, int swarms) throws Options.UsageException {
        String key = o.get("jwt-key", null);
        if (key == null) {
            if (o.get("jwt-issuer", null) != null || o.get("jwt-audience", null) != null) {
                throw new Options.UsageException("--jwt-issuer and --jwt-audience need --jwt-key");
            }
            return List.of();
        }
        List<String> hashes = new ArrayList<>(swarms);
        for (int s = 0; s < swarms; s++) {
            hashes.add(Bench.infoHashHex(s));
        }
        return TokenCommand.sign(Path.of(key), o.get("jwt-issuer", "swarmgate-bench"),
                o.get("jwt-audience", "swarmgate-bench"), hashes, Duration.ofHours(24), Instant.now());
    }

    private static Duration duration(Options o, String name, String def) throws Options.UsageException {
        String text = o.get(name, def);
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException("--" + name + ": " + e.getMessage());
        }
    }

    /** --peer-seed: null (random peers per run) when not given. */
    private static Long peerSeed(Options o) throws Options.UsageException {
        return o.get("peer-seed", null) == null ? null : (long) integer(o, "peer-seed", 0, 0, Integer.MAX_VALUE);
    }

    private static int integer(Options o, String name, int def, int min, int max) throws Options.UsageException {
        String text = o.get(name, null);
        if (text == null) {
            return def;
        }
        try {
            int v = Integer.parseInt(text.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new Options.UsageException("--" + name + " must be a whole number in " + min + ".." + max + ", got '"
                + text + "'");
    }
}
