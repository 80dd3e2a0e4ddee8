package io.swarmgate.hook.jwt;

import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.cli.KeysCommand;
import io.swarmgate.cli.TokenCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

import static io.swarmgate.hook.jwt.JwtFixture.HASH;
import static io.swarmgate.hook.jwt.JwtFixture.admit;
import static io.swarmgate.hook.jwt.JwtFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The operator's demo: keys from `keys generate`, the set served from a file: URL, tokens from `token`. */
class CliTokensTest {
    @TempDir
    Path dir;

    private static String run(boolean keys, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = keys ? KeysCommand.run(args, o, e) : TokenCommand.run(args, o, e);
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private String mint(String kid, String... extra) {
        String[] base = {"--key", dir.resolve(kid + ".private.jwk.json").toString(),
                "--issuer", JwtFixture.ISSUER, "--audience", JwtFixture.AUDIENCE, "--infohash", HASH.hex()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return run(false, args);
    }

    @Test
    void tokensMintedByTheCliAreAdmittedAndARotationWorksWithoutRestart() throws ClientError {
        run(true, "generate", "--alg", "RS256", "--kid", "2026-10", "--out", dir.toString());
        try (JwtFixture f = new JwtFixture()) {
            f.clock.set(Instant.now());
            JwtHook hook = f.start(dir.resolve("jwks.json").toUri().toString(), "require-exp: true");
            String old = mint("2026-10", "--ttl", "1h");
            admit(hook, old);
            refused("jwt has no exp", hook, mint("2026-10", "--no-exp"));

            // rotation step 1: publish the new key beside the old one
            run(true, "generate", "--alg", "EdDSA", "--kid", "2026-11", "--out", dir.toString());
            // step 2: the registry signs with the new kid; the tracker fetches the set when it first sees it
            String fresh = mint("2026-11");
            admit(hook, fresh);
            admit(hook, old);
            // step 3, after the longest token lifetime: withdraw the old key
            run(true, "remove", "--kid", "2026-10", "--dir", dir.toString());
            hook.keys().refresh();
            refused("unknown signing key", hook, old);
            admit(hook, fresh);
        }
    }
}
