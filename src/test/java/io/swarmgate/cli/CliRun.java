package io.swarmgate.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One run of a subcommand: its exit status and what it printed. */
record CliRun(int exit, String out, String err) {

    interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    static CliRun of(Command command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = command.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** What a user must never see: a Java stack trace. */
    boolean showsStackTrace() {
        return (out + err).contains("\tat ") || (out + err).contains("Exception:");
    }
}
