package io.swarmgate.testing;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private certificate authority made with the system's openssl (installed by {@code .ci/run}) in a temporary
 * directory: a CA certificate, and server certificates it signs for {@code 127.0.0.1} / {@code localhost}.
 * Real PEM files, as an operator would have them, and the JDK SSL contexts that trust or serve them.
 */
public final class TestPki {
    /** A server certificate (chain: itself, then the CA) and its PKCS#8 key, as PEM files. */
    public record Issued(String commonName, Path certificate, Path privateKey) {
    }

    private final Path dir;
    private final Path caCertificate;
    private final Path caKey;
    private int serial;

    private TestPki(Path dir, Path caCertificate, Path caKey) {
        this.dir = dir;
        this.caCertificate = caCertificate;
        this.caKey = caKey;
    }

    /** A new CA named {@code name} in {@code dir}. */
    public static TestPki create(Path dir, String name) throws IOException {
        Path cert = dir.resolve(name + "-ca.pem");
        Path key = dir.resolve(name + "-ca.key");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name);
        return new TestPki(dir, cert, key);
    }

    public Path caCertificate() {
        return caCertificate;
    }

    /** A server certificate for 127.0.0.1 and localhost, signed by this CA. */
    public Issued issue(String commonName) throws IOException {
        int n = ++serial;
        Path key = dir.resolve(commonName + "-" + n + ".key");
        Path csr = dir.resolve(commonName + "-" + n + ".csr");
        Path leaf = dir.resolve(commonName + "-" + n + ".leaf.pem");
        Path ext = dir.resolve(commonName + "-" + n + ".ext");
        Path chain = dir.resolve(commonName + "-" + n + ".pem");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + commonName);
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCertificate.toString(),
                "-CAkey", caKey.toString(), "-set_serial", Integer.toString(1000 + n), "-days", "2",
                "-extfile", ext.toString(), "-out", leaf.toString());
        Files.writeString(chain, Files.readString(leaf) + Files.readString(caCertificate));
        return new Issued(commonName, chain, key);
    }

    /** A client context that trusts only this CA (and does the usual host name checks). */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", certificates(caCertificate).getFirst());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server context serving {@code issued} (for a MockWebServer standing in for a registry). */
    public static SSLContext serverContext(Issued issued) {
        try {
            char[] password = "test".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", privateKey(issued.privateKey()), password,
                    certificates(issued.certificate()).toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "openssl", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl did not finish in 30 s: " + command);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("openssl failed (" + p.exitValue() + "): " + command + "\n" + Files.readString(output));
        }
    }
}
