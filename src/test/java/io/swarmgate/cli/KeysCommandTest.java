package io.swarmgate.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeysCommandTest {
    @TempDir
    Path dir;

    private CliRun keys(String... args) {
        return CliRun.of(KeysCommand::run, args);
    }

    private List<JWK> published() throws Exception {
        return JWKSet.parse(Files.readString(dir.resolve("jwks.json"))).getKeys();
    }

    @Test
    void generateWritesAPrivateKeyAndAPublicSet() throws Exception {
        CliRun run = keys("generate", "--alg", "ES256", "--kid", "2026-11", "--out", dir.toString());
        assertEquals(0, run.exit(), run.err());
        Path privateFile = dir.resolve("2026-11.private.jwk.json");
        assertTrue(run.out().contains(privateFile.toString()) && run.out().contains("jwks.json"), run.out());

        JWK key = JWK.parse(Files.readString(privateFile));
        assertTrue(key.isPrivate());
        assertEquals("2026-11", key.getKeyID());
        assertEquals("ES256", key.getAlgorithm().getName());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile)));

        List<JWK> set = published();
        assertEquals(1, set.size());
        assertFalse(set.get(0).isPrivate(), "the published set holds the public key only");
        assertEquals(key.toPublicJWK(), set.get(0));
    }

    @Test
    void aSecondKeyIsAddedBesideTheFirstForRotation() throws Exception {
        assertEquals(0, keys("generate", "--alg", "RS256", "--kid", "2026-10", "--out", dir.toString()).exit());
        CliRun run = keys("generate", "--alg=EdDSA", "--kid=2026-11", "--out=" + dir);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("added the public key"), run.out());
        assertEquals(List.of("2026-10", "2026-11"), published().stream().map(JWK::getKeyID).toList());
        assertEquals("OKP", published().get(1).getKeyType().getValue());
        // one key per line, so a rotation is a one-line diff
        assertEquals(4, Files.readAllLines(dir.resolve("jwks.json")).size());
    }

    @Test
    void removeTakesAKeyOutButNeverTheLast() throws Exception {
        keys("generate", "--alg", "ES256", "--kid", "old", "--out", dir.toString());
        keys("generate", "--alg", "ES256", "--kid", "new", "--out", dir.toString());
        CliRun run = keys("remove", "--kid", "old", "--dir", dir.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("new"), published().stream().map(JWK::getKeyID).toList());
        assertEquals(1, keys("remove", "--kid", "old", "--dir", dir.toString()).exit());
        run = keys("remove", "--kid", "new", "--dir", dir.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("only key"), run.err());
        assertEquals(1, published().size());
        assertEquals(2, keys("remove", "--dir", dir.toString()).exit());
    }

    @Test
    void aKidIsNeverReusedOrOverwritten() throws Exception {
        assertEquals(0, keys("generate", "--alg", "ES256", "--kid", "k1", "--out", dir.toString()).exit());
        String before = Files.readString(dir.resolve("k1.private.jwk.json"));
        CliRun run = keys("generate", "--alg", "ES256", "--kid", "k1", "--out", dir.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("already has a key with kid 'k1'"), run.err());
        assertEquals(before, Files.readString(dir.resolve("k1.private.jwk.json")));
        assertEquals(1, published().size());
        assertFalse(run.showsStackTrace());
    }

    @Test
    void usageErrorsExitWithTwoAndNoStackTrace() {
        for (String[] args : List.of(
                new String[] {},
                new String[] {"rotate"},
                new String[] {"generate", "--kid", "a"},
                new String[] {"generate", "--alg", "HS256", "--kid", "a"},
                new String[] {"generate", "--alg", "ES256"},
                new String[] {"generate", "--alg", "ES256", "--kid", "../etc/passwd"},
                new String[] {"generate", "--alg", "ES256", "--kid", "a", "--bits", "4096"},
                new String[] {"generate", "--alg", "RS256", "--kid", "a", "--bits", "1024"},
                new String[] {"generate", "--alg", "ES256", "--kid", "a", "--colour", "blue"},
                new String[] {"generate", "--alg"})) {
            CliRun run = keys(args);
            assertEquals(2, run.exit(), String.join(" ", args));
            assertTrue(run.err().contains("usage: swarmgate keys generate"), run.err());
            assertFalse(run.showsStackTrace(), run.err());
        }
    }

    @Test
    void aSetWithPrivateKeysIsNotExtended() throws Exception {
        Files.writeString(dir.resolve("jwks.json"),
                "{\"keys\":[" + KeysCommand.newKey(com.nimbusds.jose.JWSAlgorithm.ES256, "leaked", 0).toJSONString() + "]}");
        CliRun run = keys("generate", "--alg", "ES256", "--kid", "k2", "--out", dir.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("private key"), run.err());
        assertFalse(Files.exists(dir.resolve("k2.private.jwk.json")));
    }
}
