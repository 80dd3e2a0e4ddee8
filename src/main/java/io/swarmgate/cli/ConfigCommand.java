package io.swarmgate.cli;

import io.swarmgate.Swarmgate;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.logging.ConfigSummary;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code swarmgate config check FILE [--fetch]}: the start-up checks without the start. Reads FILE with the same
 * {@code SWARMGATE_*} overrides, builds every hook as start-up does and prints the effective configuration
 * (secrets redacted), so a change can be checked before a deployment rolls it out. It binds no port and reaches
 * no network unless {@code --fetch} asks it to load remote JWK sets too; a refused file gets the very message
 * start-up would print, so what an operator reads here is what the service log would have said.
 */
public final class ConfigCommand {
    static final String USAGE = """
            usage: swarmgate config check FILE [--fetch]

              Validates FILE exactly as start-up does, with the same SWARMGATE_* environment overrides: unknown
              keys, types, ranges, contradictions, hook configuration, files the hooks read (torrent-approval's
              file, a file: JWK set). Prints the effective configuration, defaults included, with secrets
              redacted, and exits 0; or prints start-up's message naming the key and exits 1.
              It binds no port and fetches nothing over the network.
              --fetch   also fetch the jwt hooks' http(s) JWK sets, as start-up does
            """;

    private ConfigCommand() {
    }

    /** Runs {@code config ...} (the arguments after {@code config}); returns 0, 1 for a refused file, 2 usage. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Path file;
        boolean fetch;
        try {
            if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
                out.print(USAGE);
                return 0;
            }
            if (args.length == 0 || !args[0].equals("check")) {
                throw new Options.UsageException(args.length == 0 ? "missing subcommand"
                        : "unknown subcommand '" + args[0] + "'");
            }
            Options o = Options.parse(java.util.Arrays.copyOfRange(args, 1, args.length), Set.of(),
                    Set.of("fetch", "help"));
            if (o.flag("help")) {
                out.print(USAGE);
                return 0;
            }
            if (o.positional().size() != 1) {
                throw new Options.UsageException(o.positional().isEmpty() ? "FILE is required"
                        : "one FILE only, got " + o.positional());
            }
            file = Path.of(o.positional().get(0));
            fetch = o.flag("fetch");
        } catch (Options.UsageException e) {
            err.println("swarmgate config: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        SwarmgateConfig config;
        try {
            config = SwarmgateConfig.load(file, env);
        } catch (RuntimeException e) {
            err.println(readError(file, e));
            return 1;
        }
        try {
            Swarmgate.check(config, fetch);
        } catch (RuntimeException e) {
            err.println(startError(e));
            return 1;
        }
        for (String section : ConfigSummary.sections(config)) {
            out.println(section);
        }
        out.println("# " + file + ": valid" + (fetch || config.prehooks().isEmpty() && config.posthooks().isEmpty()
                ? "" : " (remote JWK sets not fetched; --fetch loads them)"));
        return 0;
    }

    /** Start-up's message for a configuration file it cannot read or refuses. */
    public static String readError(Path file, RuntimeException e) {
        return e instanceof ConfigException ? "configuration error: " + e.getMessage()
                : "cannot read configuration " + file + ": " + e.getMessage();
    }

    /** Start-up's message for a failure while building the tracker from a readable configuration. */
    public static String startError(RuntimeException e) {
        return e instanceof ConfigException ? "configuration error: " + e.getMessage()
                : "start-up failed: " + e.getMessage();
    }
}
