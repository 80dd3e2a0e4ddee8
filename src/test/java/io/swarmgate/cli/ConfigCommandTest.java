package io.swarmgate.cli;

import io.swarmgate.testing.JwtYaml;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code swarmgate config check}: start-up's verdict without the start. */
class ConfigCommandTest {
    @TempDir
    Path dir;

    @StartStop
    final MockWebServer registry = new MockWebServer();

    private CliRun check(Map<String, String> env, String... args) {
        return CliRun.of((a, out, err) -> ConfigCommand.run(a, env, out, err), args);
    }

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("swarmgate.yaml"), yaml);
    }

    @Test
    void theShippedFileIsValidAndItsEffectiveConfigurationIsPrinted() {
        CliRun run = check(Map.of(), "check", "config/swarmgate.yaml");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("tracker{announce-interval=30m, "), run.out());
        assertTrue(run.out().contains("\nudp{enabled=true, host=::, port=6969, "), run.out());
        assertTrue(run.out().contains("config/swarmgate.yaml: valid"), run.out());
    }

    @Test
    void aMisspelledKeyGetsStartUpsMessageNamingIt() throws Exception {
        Path bad = file("tracker:\n  annonce-interval: 5m\n");
        CliRun run = check(Map.of(), "check", bad.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().startsWith("configuration error: tracker.annonce-interval: unknown key"), run.err());
        assertEquals("", run.out());
        assertFalse(run.showsStackTrace(), run.err());
    }

    @Test
    void environmentOverridesApplyAndSecretsAreRedacted() throws Exception {
        Path f = file("udp: {port: 7000}\n");
        String secret = "0123456789abcdef-very-secret";
        CliRun run = check(Map.of("SWARMGATE_UDP__CONNECTION_ID_SECRET", secret, "SWARMGATE_HTTP__PORT", "7001"),
                "check", f.toString());
        assertEquals(0, run.exit(), run.err());
        assertFalse(run.out().contains(secret), run.out());
        assertTrue(run.out().contains("connection-id-secret=<redacted>"), run.out());
        assertTrue(run.out().contains("http{enabled=true, host=::, port=7001,"), run.out());
        CliRun shortSecret = check(Map.of("SWARMGATE_UDP__CONNECTION_ID_SECRET", "short"), "check", f.toString());
        assertEquals(1, shortSecret.exit());
        assertTrue(shortSecret.err().startsWith("configuration error: udp.connection-id-secret:"), shortSecret.err());
    }

    @Test
    void hookConfigurationIsCheckedAsAtStartUp() throws Exception {
        CliRun both = check(Map.of(), "check", file("""
                prehooks:
                  - name: client-approval
                    config: {allow: [-qB], deny: [-UT]}
                """).toString());
        assertEquals(1, both.exit());
        assertTrue(both.err().startsWith("configuration error: prehooks.0.config.deny: set either allow or deny"), both.err());

        CliRun unknown = check(Map.of(), "check", file("posthooks:\n  - name: nope\n").toString());
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().startsWith("configuration error: posthooks.0.name: unknown hook 'nope'"),
                unknown.err());

        CliRun missingFile = check(Map.of(), "check", file("""
                prehooks:
                  - name: torrent-approval
                    config: {file: %s}
                """.formatted(dir.resolve("absent.txt"))).toString());
        assertEquals(1, missingFile.exit());
        assertTrue(missingFile.err().contains("prehooks.0.config.file"), missingFile.err());
    }

    @Test
    void aRemoteJwkSetIsFetchedOnlyWithFetch() throws Exception {
        assertEquals(0, CliRun.of(KeysCommand::run, "generate", "--alg", "EdDSA", "--kid", "k1", "--out",
                dir.toString()).exit());
        registry.enqueue(new MockResponse.Builder().body(Files.readString(dir.resolve("jwks.json"))).build());
        Path f = file(JwtYaml.prehook(registry.url("/jwks.json").toString()));

        CliRun offline = check(Map.of(), "check", f.toString());
        assertEquals(0, offline.exit(), offline.err());
        assertEquals(0, registry.getRequestCount(), "no --fetch: nothing fetched");
        assertTrue(offline.out().contains("remote JWK sets not fetched"), offline.out());
        assertTrue(offline.out().contains("prehooks=[jwt{") && offline.out().contains("issuer=https://registry.example.com"),
                offline.out());

        CliRun fetched = check(Map.of(), "check", f.toString(), "--fetch");
        assertEquals(0, fetched.exit(), fetched.err());
        assertEquals(1, registry.getRequestCount());

        registry.enqueue(new MockResponse.Builder().code(503).build());
        CliRun down = check(Map.of(), "check", "--fetch", f.toString());
        assertEquals(1, down.exit());
        assertTrue(down.err().startsWith("configuration error: prehooks.0.config.jwk-set-url: could not load the JWK set"),
                down.err());
    }

    @Test
    void aLocalJwkSetIsLoadedWithoutFetch() throws Exception {
        Path f = file(JwtYaml.prehookWith("issuer: iss", "audience: aud",
                "jwk-set-url: \"file:" + dir.resolve("missing-jwks.json") + "\""));
        CliRun run = check(Map.of(), "check", f.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().startsWith("configuration error: prehooks.0.config.jwk-set-url:"), run.err());
    }

    @Test
    void itBindsNoPort() throws Exception {
        // the very ports the file names stay free while (and after) it is checked
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             DatagramSocket udpProbe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int tcp = probe.getLocalPort();
            int udp = udpProbe.getLocalPort();
            Path f = file("http: {host: 127.0.0.1, port: %d}\nudp: {host: 127.0.0.1, port: %d}\nmetrics: {port: %d}\n"
                    .formatted(tcp, udp, tcp));
            CliRun run = check(Map.of(), "check", f.toString());
            assertEquals(0, run.exit(), "start-up would bind ports already taken: " + run.err());
        }
    }

    @Test
    void usageMistakesExitWithTwo() {
        assertEquals(2, check(Map.of(), "check").exit());
        assertEquals(2, check(Map.of(), "verify", "x.yaml").exit());
        assertEquals(2, check(Map.of(), "check", "a.yaml", "b.yaml").exit());
        CliRun missing = check(Map.of(), "check", dir.resolve("none.yaml").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("configuration error: --config: no such file"), missing.err());
    }
}
