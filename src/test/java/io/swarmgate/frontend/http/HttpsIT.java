package io.swarmgate.frontend.http;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.Swarmgate;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.testing.CapturedLog;
import io.swarmgate.testing.RawHttp;
import io.swarmgate.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;

import static io.swarmgate.testing.Wire.eventually;
import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code http.tls}: announces over HTTPS with a certificate from a private CA, and a renewed certificate served
 * within {@code reload-interval} without a restart and without dropping connections already open.
 */
class HttpsIT {
    private static final String RELOAD_INTERVAL = "200ms";

    @TempDir
    Path dir;
    private TestPki pki;
    private Path certificate;
    private Path privateKey;
    private CapturedLog log;
    private Swarmgate tracker;

    @BeforeEach
    void files() throws IOException {
        pki = TestPki.create(dir, "swarmgate-test-ca");
        certificate = dir.resolve("tracker.pem");
        privateKey = dir.resolve("tracker.key");
        install(pki.issue("tracker-one"));
        log = CapturedLog.start();
    }

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
        log.close();
    }

    private void start() {
        tracker = Swarmgate.start(SwarmgateConfig.fromYaml(yaml()), new SimpleMeterRegistry(), InstantSource.system());
    }

    private String yaml() {
        return """
                http: {port: 0, tls: {certificate: "%s", private-key: "%s", reload-interval: %s}}
                udp: {enabled: false}
                metrics: {enabled: false}
                """.formatted(certificate, privateKey, RELOAD_INTERVAL);
    }

    /** Replaces the served files as a renewal would: each written aside and renamed into place. */
    private void install(TestPki.Issued issued) throws IOException {
        replace(issued.privateKey(), privateKey);
        replace(issued.certificate(), certificate);
    }

    private static void replace(Path from, Path to) throws IOException {
        Path aside = to.resolveSibling(to.getFileName() + ".new");
        Files.copy(from, aside, StandardCopyOption.REPLACE_EXISTING);
        Files.move(aside, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private SSLSocket connect() throws IOException {
        SSLContext context = pki.clientContext();
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", tracker.httpPort()), 5000);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", tracker.httpPort(), true);
        var params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(params);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static String servedName(SSLSocket s) throws IOException {
        X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
        return leaf.getSubjectX500Principal().getName();
    }

    /** The common name a new connection is served, or the handshake failure. */
    private String newConnectionServes() {
        try (SSLSocket s = connect()) {
            return servedName(s);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String announce(String peer) {
        return "/announce?info_hash=" + pct(id20("tls")) + "&peer_id=" + pct(id20(peer))
                + "&port=" + (6000 + (peer.hashCode() & 0xfff)) + "&uploaded=0&downloaded=0&left=10&compact=1";
    }

    @Test
    void renewedCertificateIsServedWithoutRestartAndOpenConnectionsKeepWorking() throws Exception {
        start();
        try (SSLSocket open = connect()) {
            assertEquals("CN=tracker-one", servedName(open));
            RawHttp.Response first = RawHttp.exchange(open, announce("peer-a"));
            assertEquals(200, first.status());
            assertTrue(first.text().contains("8:intervali"), first.text());
            assertTrue(List.of("TLSv1.3", "TLSv1.2").contains(open.getSession().getProtocol()));

            install(pki.issue("tracker-two"));
            eventually("the renewed certificate served to a new connection",
                    () -> newConnectionServes().equals("CN=tracker-two"));

            // the connection opened before the renewal was not dropped: it answers, still under its old session
            RawHttp.Response second = RawHttp.exchange(open, announce("peer-b"));
            assertEquals(200, second.status());
            assertTrue(second.text().contains("10:incompletei2e"), "peer-a counted: " + second.text());
            assertEquals("CN=tracker-one", servedName(open));
        }
        assertTrue(log.allText().contains("http.tls: certificate reloaded: CN=tracker-two"), log.allText());
        assertEquals(List.of(), log.warningsAndStackTraces());
    }

    @Test
    void aKeyThatDoesNotMatchIsRefusedOnceAndTheServedCertificateStays() throws Exception {
        start();
        TestPki.Issued two = pki.issue("tracker-two");
        TestPki.Issued three = pki.issue("tracker-three");
        replace(three.privateKey(), privateKey);
        replace(two.certificate(), certificate);
        eventually("a warning about the mismatched pair", () -> !log.warningsAndStackTraces().isEmpty());
        assertEquals(List.of("WARNING io.swarmgate.frontend.http.CertificateReloader: http.tls: changed files not "
                + "used (http.tls.private-key is not the key of the first certificate in http.tls.certificate); the "
                + "served certificate stays as it was, checked again in PT0.2S"), log.warningsAndStackTraces());
        assertEquals("CN=tracker-one", newConnectionServes());

        // the operator writes the right key: served at the next check, and the bad pair was warned about once
        replace(two.privateKey(), privateKey);
        eventually("the fixed pair served", () -> newConnectionServes().equals("CN=tracker-two"));
        assertEquals(1, log.warningsAndStackTraces().size(), log.warningsAndStackTraces().toString());
    }

    @Test
    void plainHttpAndGarbageOnTheTlsPortAreClosedWithoutALogLine() throws Exception {
        start();
        Random random = new Random(12);
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + random.nextInt(600)];
            random.nextBytes(junk);
            byte[] sent = i == 0 ? ("GET " + announce("plain") + " HTTP/1.1\r\nHost: t\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1) : junk;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", tracker.httpPort()), 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(sent);
                s.shutdownOutput();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                int total = 0;
                for (int n; total < 64 * 1024 && (n = in.read(buf)) > 0; ) {
                    total += n;
                }
                // the tracker's answer, if any, is a TLS alert: never an HTTP answer in the clear
                assertFalse(total > 0 && buf[0] == 'H', "plain HTTP answer on the TLS port");
            } catch (java.net.SocketException reset) {
                // a reset is a closed connection too
            }
        }
        assertEquals(200, statusOverTls());
        assertEquals(List.of(), log.warningsAndStackTraces());
    }

    private int statusOverTls() throws IOException {
        try (SSLSocket s = connect()) {
            return RawHttp.exchange(s, announce("after-junk")).status();
        }
    }

    @Test
    void unusableFilesStopStartUpNamingTheKey() throws Exception {
        Files.delete(certificate);
        ConfigException missing = assertThrows(ConfigException.class, this::start);
        assertTrue(missing.getMessage().startsWith("http.tls.certificate: cannot read " + certificate),
                missing.getMessage());

        install(pki.issue("tracker-two"));
        replace(pki.issue("tracker-three").privateKey(), privateKey);
        ConfigException mismatch = assertThrows(ConfigException.class, this::start);
        assertEquals("http.tls: http.tls.private-key is not the key of the first certificate in "
                + "http.tls.certificate", mismatch.getMessage());

        String secret = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n";
        Files.writeString(privateKey, secret);
        ConfigException garbage = assertThrows(ConfigException.class, this::start);
        assertEquals("http.tls: http.tls.private-key: not an unencrypted PKCS#8 or PKCS#1 RSA private key",
                garbage.getMessage());

        ConfigException noFile = assertThrows(ConfigException.class, () -> SwarmgateConfig.fromYaml(
                "http: {tls: {private-key: /x.key}}"));
        assertEquals("http.tls.certificate: required when http.tls is set (a PEM file)", noFile.getMessage());
        assertFalse(log.allText().contains("c2VjcmV0"), "key material in the log");
    }
}
