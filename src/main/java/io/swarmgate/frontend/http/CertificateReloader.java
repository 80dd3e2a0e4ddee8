package io.swarmgate.frontend.http;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.HttpTlsConfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code http.tls}: the served certificate and key, read from PEM files and re-read every
 * {@code reload-interval}. A changed pair is handed to Helidon's {@link WebServer#reloadTls}, which swaps the key
 * material inside the listener's existing SSL context: new handshakes get the new certificate, connections already
 * established keep theirs (nothing is closed or restarted).
 *
 * <p>The files are compared by content, not by modification time, so a renewal that keeps the timestamp (a copy
 * with {@code cp -p}, a Kubernetes secret's symlink swap) is still seen. A pair that does not load (a key that is
 * not the certificate's, a half-written file while a renewal is in progress) is refused with one warning and the
 * previous certificate stays; the check runs again at the next interval, so writing the two files one after the
 * other is fine. At start-up the same problems stop the tracker with a message naming the key.
 */
final class CertificateReloader implements AutoCloseable {
    private static final Logger LOG = System.getLogger(CertificateReloader.class.getName());
    /** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final String CERTIFICATE_KEY = "http.tls.certificate";
    private static final String PRIVATE_KEY_KEY = "http.tls.private-key";

    private final HttpTlsConfig config;
    private final ScheduledExecutorService timer;
    /** The contents last looked at (loaded or refused), so a refused pair is warned about once. */
    private byte[] lastCertificate;
    private byte[] lastKey;

    private CertificateReloader(HttpTlsConfig config, byte[] certificate, byte[] key) {
        this.config = config;
        this.lastCertificate = certificate;
        this.lastKey = key;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "swarmgate-tls-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads the files once; a problem is a {@link ConfigException} naming the key. */
    static Loaded load(HttpTlsConfig config) {
        byte[] certificate = read(config, true);
        byte[] key = read(config, false);
        try {
            return new Loaded(new CertificateReloader(config, certificate, key), tls(certificate, key));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("http.tls", e.getMessage());
        }
    }

    /** The reloader and the TLS to start the listener with. */
    record Loaded(CertificateReloader reloader, Tls tls) {
    }

    /** Starts checking the files for {@code server}'s listener. */
    void watch(WebServer server) {
        long period = config.reloadInterval().toNanos();
        timer.scheduleWithFixedDelay(() -> check(server), period, period, TimeUnit.NANOSECONDS);
    }

    /** One check: reloads if either file changed and the new pair is usable. Never throws. */
    void check(WebServer server) {
        byte[] certificate;
        byte[] key;
        try {
            certificate = read(config, true);
            key = read(config, false);
        } catch (ConfigException e) {
            LOG.log(Level.WARNING, e.getMessage() + "; the served certificate stays as it was");
            return;
        }
        if (Arrays.equals(certificate, lastCertificate) && Arrays.equals(key, lastKey)) {
            return;
        }
        lastCertificate = certificate;
        lastKey = key;
        Tls tls;
        try {
            tls = tls(certificate, key);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "http.tls: changed files not used (" + e.getMessage()
                    + "); the served certificate stays as it was, checked again in " + config.reloadInterval());
            return;
        }
        try {
            server.reloadTls(tls);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "http.tls: reloading the certificate failed; the served one stays", e);
            return;
        }
        X509Certificate first = (X509Certificate) tls.prototype().privateKeyCertChain().getFirst();
        LOG.log(Level.INFO, "http.tls: certificate reloaded: " + first.getSubjectX500Principal().getName()
                + ", valid until " + first.getNotAfter().toInstant());
    }

    private static byte[] read(HttpTlsConfig config, boolean certificate) {
        var file = certificate ? config.certificate() : config.privateKey();
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(certificate ? CERTIFICATE_KEY : PRIVATE_KEY_KEY,
                    "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Builds the listener's TLS from PEM bytes; a problem is an {@link IllegalArgumentException} saying which. */
    static Tls tls(byte[] certificatePem, byte[] keyPem) {
        List<X509Certificate> chain = certificates(certificatePem);
        PrivateKey key = privateKey(keyPem);
        checkPair(key, chain.getFirst().getPublicKey());
        return Tls.builder()
                .privateKey(key)
                .privateKeyCertChain(chain)
                // No client certificates are asked for, so trust is never consulted; but Helidon 4.4's reload
                // swaps key and trust managers together and fails (NullPointerException) when there is no trust
                // manager to swap. The served chain is a harmless one.
                .trust(chain)
                .enabledProtocols(PROTOCOLS)
                .build();
    }

    private static List<X509Certificate> certificates(byte[] pem) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))) {
                chain.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(CERTIFICATE_KEY + ": not a PEM certificate chain");
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(CERTIFICATE_KEY + ": no certificate in the file");
        }
        return chain;
    }

    private static PrivateKey privateKey(byte[] pem) {
        // Only the file's name goes into messages: the key itself is a secret
        if (!new String(pem, StandardCharsets.US_ASCII).contains("PRIVATE KEY-----")) {
            throw new IllegalArgumentException(PRIVATE_KEY_KEY + ": no PEM private key in the file");
        }
        try {
            return Keys.builder()
                    .pem(p -> p.key(Resource.create(PRIVATE_KEY_KEY, pem)))
                    .build()
                    .privateKey()
                    .orElseThrow(() -> new IllegalArgumentException(PRIVATE_KEY_KEY + ": no private key in the file"));
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(PRIVATE_KEY_KEY
                    + ": not an unencrypted PKCS#8 or PKCS#1 RSA private key");
        }
    }

    /** A key that is not the certificate's would fail every handshake; refuse it here with a clear reason. */
    private static void checkPair(PrivateKey key, PublicKey certificateKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = "swarmgate key pair check".getBytes(StandardCharsets.US_ASCII);
        boolean match;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificateKey);
            verifier.update(probe);
            match = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            match = false;
        }
        if (!match) {
            throw new IllegalArgumentException(PRIVATE_KEY_KEY + " is not the key of the first certificate in "
                    + CERTIFICATE_KEY);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
