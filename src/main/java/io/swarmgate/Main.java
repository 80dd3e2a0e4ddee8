package io.swarmgate;

import io.swarmgate.cli.BenchCommand;
import io.swarmgate.cli.ConfigCommand;
import io.swarmgate.cli.KeysCommand;
import io.swarmgate.cli.TokenCommand;
import io.swarmgate.cli.Version;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.logging.ConfigSummary;
import io.swarmgate.logging.LogFormat;
import io.swarmgate.logging.LogSetup;
import io.swarmgate.metrics.Meters;

import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;

/**
 * The command line: {@code --config FILE} runs the tracker until SIGTERM or SIGINT, which stop it cleanly
 * with exit status 0; {@code config check} validates a file as start-up would; {@code keys} and {@code token}
 * are the operator tools for the JWT hook. ({@code bin/swarmgate} of the release tarball and
 * {@code java -jar swarmgate.jar} take the same arguments.)
 */
public final class Main {
    static final String USAGE = """
            usage: swarmgate --config FILE [--log-format text|json] [--log-level error|warn|info|debug|trace]
                   swarmgate config check FILE [--fetch]
                   swarmgate keys generate --alg RS256|ES256|EdDSA --kid KID [--out DIR]
                   swarmgate keys remove --kid KID [--dir DIR]
                   swarmgate token --key FILE --issuer ISS --audience AUD --infohash HEX [--ttl 1h]
                   swarmgate bench udp|http --target HOST:PORT [--duration 20s] [...]   (see bench --help)
                   swarmgate --version | --help | COMMAND --help

              --config FILE   run the tracker with this configuration until SIGTERM or SIGINT (exit status 0);
                              SWARMGATE_* environment variables override its keys (see config/swarmgate.yaml)
              --log-format    text (default) or json, one event per line on standard error
              --log-level     info by default
              config check    validate FILE exactly as start-up does, binding no port; print the effective
                              configuration with secrets redacted
              keys            make signing keys and maintain a JWK set file for the jwt prehook
              token           sign the JWT a registry would hand out for one blob
              bench           a load generator for capacity planning, loopback targets only by default
              --version       print the version
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && !args[0].startsWith("-")) {
            return subcommand(args, out, err);
        }
        Path config = null;
        LogFormat format = LogFormat.TEXT;
        Level level = Level.INFO;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--config" -> config = Path.of(value(args, ++i, "--config"));
                    case "--log-format" -> format = LogFormat.parse(value(args, ++i, "--log-format"));
                    case "--log-level" -> level = LogSetup.parseLevel(value(args, ++i, "--log-level"));
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    case "-V", "--version" -> {
                        out.println("swarmgate " + Version.current());
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (config == null) {
                throw new IllegalArgumentException("--config FILE is required");
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        LogSetup.configure(format, level);
        return serve(config, err);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int subcommand(String[] args, PrintStream out, PrintStream err) {
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "config" -> ConfigCommand.run(rest, out, err);
            case "keys" -> KeysCommand.run(rest, out, err);
            case "token" -> TokenCommand.run(rest, out, err);
            case "help" -> {
                out.print(USAGE);
                yield 0;
            }
            case "bench" -> BenchCommand.run(rest, out, err);
            default -> {
                err.println("unknown command " + args[0]);
                err.print(USAGE);
                yield 2;
            }
        };
    }

    private static int serve(Path file, PrintStream err) {
        Logger log = System.getLogger(Main.class.getName());
        SwarmgateConfig config;
        try {
            config = SwarmgateConfig.load(file, System.getenv());
        } catch (RuntimeException e) {
            err.println(ConfigCommand.readError(file, e));
            return 1;
        }
        log.log(Level.INFO, "starting swarmgate with " + ConfigSummary.render(config));
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        try (Meters meters = config.metrics().enabled() ? Meters.create() : Meters.withoutJvmMeters()) {
            Swarmgate tracker;
            try {
                tracker = Swarmgate.start(config, meters.registry(), InstantSource.system());
            } catch (ConfigException e) {
                err.println(ConfigCommand.startError(e));
                return 1;
            } catch (RuntimeException e) {
                log.log(Level.ERROR, ConfigCommand.startError(e));
                err.println(ConfigCommand.startError(e));
                return 1;
            }
            log.log(Level.INFO, "swarmgate started: http " + port(tracker.httpPort()) + ", udp "
                    + port(tracker.udpPort()) + ", metrics " + port(tracker.metricsPort()));
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.log(Level.INFO, "shutting down");
            tracker.close();
            log.log(Level.INFO, "stopped");
        }
        return 0;
    }

    private static String port(int port) {
        return port < 0 ? "off" : "port " + port;
    }
}
