package io.swarmgate.hook.jwt;

import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.config.ConfigException;
import io.swarmgate.testing.CapturedLog;
import io.swarmgate.testing.TestPki;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.swarmgate.hook.jwt.JwtFixture.EC;
import static io.swarmgate.hook.jwt.JwtFixture.RSA;
import static io.swarmgate.hook.jwt.JwtFixture.admit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jwk-set-ca}: the JWK set fetched over HTTPS from a registry whose certificate a private CA issued (a real
 * TLS MockWebServer with a certificate made by openssl). Without the key the JDK's trust store decides, and the
 * tracker does not start; with it that CA, and only it, is trusted.
 */
class JwkSetCaTest {
    @TempDir
    static Path dir;
    private static TestPki registryCa;
    private static TestPki otherCa;
    private static TestPki.Issued registryCertificate;

    private final MockWebServer server = new MockWebServer();
    private final JwksDispatcher jwks = new JwksDispatcher(JwtFixture.jwks(RSA));
    private final JwtFixture f = new JwtFixture();
    private CapturedLog log;

    @BeforeEach
    void serveOverTls() throws IOException {
        if (registryCa == null) {
            registryCa = TestPki.create(dir, "registry");
            otherCa = TestPki.create(dir, "other");
            registryCertificate = registryCa.issue("registry");
        }
        server.useHttps(TestPki.serverContext(registryCertificate).getSocketFactory());
        server.setDispatcher(jwks);
        server.start();
        log = CapturedLog.start();
    }

    @AfterEach
    void stop() {
        log.close();
        f.close();
        server.close();
    }

    private String url() {
        String url = server.url("/jwks.json").toString();
        assertTrue(url.startsWith("https://"), url);
        return url;
    }

    private ConfigException refusedAtStartUp(String... extra) {
        return assertThrows(ConfigException.class, () -> f.start(url(), extra));
    }

    @Test
    void anUntrustedCertificateStopsStartUpNamingTheUrlAndTheCause() {
        ConfigException e = refusedAtStartUp();
        assertEquals("prehooks.0.config.jwk-set-url", e.key());
        assertTrue(e.getMessage().contains("could not load the JWK set from " + url()), e.getMessage());
        assertTrue(e.getMessage().contains("the server's certificate is not trusted"), e.getMessage());
        assertTrue(e.getMessage().contains("set jwk-set-ca"), e.getMessage());
        assertFalse(e.getMessage().contains("sun.security"), "no JDK class names: " + e.getMessage());
        assertEquals(0, server.getRequestCount(), "no request was sent over the untrusted connection");
        assertEquals(List.of(), log.warningsAndStackTraces());
        assertFalse(log.allText().contains("\tat "), "no stack trace in the log");
    }

    @Test
    void thePrivateCaConfiguredTheSetIsFetchedAndRefreshed() throws ClientError {
        JwtHook hook = f.start(url(), "jwk-set-ca: " + registryCa.caCertificate());
        admit(hook, f.token(RSA));
        jwks.body = JwtFixture.jwks(RSA, EC);
        assertTrue(hook.keys().refresh(), "refreshes trust the same CA");
        admit(hook, f.token(EC));
        assertEquals(2, server.getRequestCount());
        assertEquals(List.of(), log.warningsAndStackTraces());
    }

    @Test
    void severalCertificatesInTheFileAreAllTrusted() throws IOException, ClientError {
        Path both = dir.resolve("both-cas.pem");
        Files.writeString(both, Files.readString(otherCa.caCertificate()) + Files.readString(registryCa.caCertificate()));
        admit(f.start(url(), "jwk-set-ca: " + both), f.token(RSA));
    }

    @Test
    void anotherCaIsTrustedInsteadOfTheRegistrysNotInAddition() {
        ConfigException e = refusedAtStartUp("jwk-set-ca: " + otherCa.caCertificate());
        assertEquals("prehooks.0.config.jwk-set-url", e.key());
        assertTrue(e.getMessage().contains("not trusted"), e.getMessage());
    }

    @Test
    void aBadCaFileIsAConfigurationErrorNamingTheKey() throws IOException {
        Path missing = dir.resolve("no-such-ca.pem");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path key = registryCertificate.privateKey(); // a private key, not a certificate
        for (Path bad : List.of(missing, garbage, empty, key)) {
            ConfigException e = refusedAtStartUp("jwk-set-ca: " + bad);
            assertEquals("prehooks.0.config.jwk-set-ca", e.key(), e.getMessage());
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("PRIVATE KEY-----\n"), "never the file's contents");
        }
        assertEquals(0, server.getRequestCount(), "refused before any fetch");
    }

    @Test
    void aCaForAPlainOrFileUrlIsAContradiction() {
        String ca = "jwk-set-ca: " + registryCa.caCertificate();
        for (String other : List.of("http://127.0.0.1:1/jwks.json", "file:/etc/swarmgate/jwks.json")) {
            ConfigException e = assertThrows(ConfigException.class, () -> f.start(other, ca));
            assertEquals("prehooks.0.config.jwk-set-ca", e.key());
            assertTrue(e.getMessage().contains("applies only to an https: jwk-set-url"), e.getMessage());
        }
    }
}
