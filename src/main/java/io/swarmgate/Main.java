package io.swarmgate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.SwarmgateConfig;

import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * The command line: {@code --config FILE} runs the tracker until SIGTERM or SIGINT, which stop it cleanly
 * with exit status 0.
 */
public final class Main {
    private static final Logger LOG = System.getLogger(Main.class.getName());
    static final String USAGE = """
            usage: java -jar swarmgate.jar --config FILE [--log-format text|json]
                   java -jar swarmgate.jar keys generate --alg ES256 --kid ID [--out DIR]
                   java -jar swarmgate.jar token --key FILE --issuer ISS --audience AUD --infohash HEX [--ttl 1h]
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
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("--config needs a file\n" + USAGE);
                        return 2;
                    }
                    config = Path.of(args[++i]);
                }
                case "--log-format" -> {
                    if (i + 1 >= args.length || !Arrays.asList("text", "json").contains(args[i + 1])) {
                        err.println("--log-format needs text or json\n" + USAGE);
                        return 2;
                    }
                    i++;
                }
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    err.println("unknown option " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        if (config == null) {
            err.println("--config FILE is required\n" + USAGE);
            return 2;
        }
        return serve(config, err);
    }

    private static int subcommand(String[] args, PrintStream out, PrintStream err) {
        err.println("unknown command " + args[0] + "\n" + USAGE);
        return 2;
    }

    private static int serve(Path file, PrintStream err) {
        SwarmgateConfig config;
        try {
            config = SwarmgateConfig.load(file, System.getenv());
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("cannot read configuration " + file + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        Swarmgate tracker;
        try {
            tracker = Swarmgate.start(config, new SimpleMeterRegistry(), InstantSource.system());
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "start-up failed: " + e.getMessage(), e);
            err.println("start-up failed: " + e.getMessage());
            return 1;
        }
        LOG.log(Level.INFO, "swarmgate started: http " + (tracker.httpPort() < 0 ? "off" : "port " + tracker.httpPort()));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(Level.INFO, "shutting down");
        tracker.close();
        LOG.log(Level.INFO, "stopped");
        return 0;
    }
}
