package io.swarmgate;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's own options: version, help for the tool and for every subcommand. */
class MainTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void versionIsTheBuildsVersion() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        // the project's own <version>, the first one after <artifactId>swarmgate</artifactId>
        int at = pom.indexOf("<artifactId>swarmgate</artifactId>");
        String version = pom.substring(pom.indexOf("<version>", at) + 9, pom.indexOf("</version>", at));
        Run run = run("--version");
        assertEquals(0, run.exit());
        assertEquals("swarmgate " + version + "\n", run.out());
        assertEquals(run.out(), run("-V").out());
    }

    @Test
    void helpListsEveryCommand() {
        Run run = run("--help");
        assertEquals(0, run.exit());
        for (String command : List.of("--config FILE", "config check FILE", "keys generate", "keys remove", "token",
                "--version")) {
            assertTrue(run.out().contains(command), () -> command + " missing from\n" + run.out());
        }
        assertEquals(run.out(), run("help").out());
    }

    @Test
    void everySubcommandHasHelp() {
        for (List<String> command : List.of(List.of("config"), List.of("config", "check"), List.of("keys"),
                List.of("keys", "generate"), List.of("keys", "remove"), List.of("token"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.add("--help");
            Run run = run(args.toArray(String[]::new));
            assertEquals(0, run.exit(), () -> args + ": " + run.err());
            assertTrue(run.out().startsWith("usage: swarmgate " + command.get(0)), () -> args + ":\n" + run.out());
            assertEquals("", run.err(), () -> args.toString());
        }
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        Run command = run("serve");
        assertEquals(2, command.exit());
        assertTrue(command.err().startsWith("unknown command serve\nusage: swarmgate"), command.err());
        Run option = run("--verison");
        assertEquals(2, option.exit());
        assertTrue(option.err().startsWith("unknown option --verison"), option.err());
    }
}
