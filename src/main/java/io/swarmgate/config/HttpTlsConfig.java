package io.swarmgate.config;

import io.helidon.config.Config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code http.tls: {certificate: FILE, private-key: FILE, reload-interval: 1m}}: HTTPS on the HTTP listener.
 * Absent means plain HTTP. Both files are PEM; they are re-read every {@code reload-interval} and a changed
 * pair replaces the served certificate without a restart (certificate renewal by certbot, cert-manager...).
 *
 * @param certificate    PEM certificate chain, the server's own certificate first
 * @param privateKey     PEM private key of the first certificate (PKCS#8, or PKCS#1 for RSA), unencrypted
 * @param reloadInterval how often both files are checked for a change
 */
public record HttpTlsConfig(Path certificate, Path privateKey, Duration reloadInterval) {

    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofMinutes(1);

    static Optional<HttpTlsConfig> create(Config node, String path) {
        if (!node.exists()) {
            return Optional.empty();
        }
        ConfigReader r = ConfigReader.of(node, path);
        HttpTlsConfig c = new HttpTlsConfig(file(r, "certificate"), file(r, "private-key"),
                r.duration("reload-interval", DEFAULT_RELOAD_INTERVAL));
        r.finish();
        return Optional.of(c);
    }

    private static Path file(ConfigReader r, String name) {
        String v = r.string(name, "").strip();
        if (v.isEmpty()) {
            throw new ConfigException(r.key(name), "required when http.tls is set (a PEM file)");
        }
        return Path.of(v);
    }
}
