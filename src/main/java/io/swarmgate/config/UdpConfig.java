package io.swarmgate.config;

import io.helidon.config.Config;

import java.time.Duration;

/** {@code udp:}: the BEP 15 listener. */
public record UdpConfig(boolean enabled, String host, int port, int workers, String connectionIdSecret,
                        Duration maxClockSkew, boolean allowIpParam, int batchSize, boolean arrivalTimestamps) {

    /**
     * Datagrams per system call when none is configured: at saturation a worker finds a few to a few dozen
     * waiting (docs/performance.md); more slots cost 64 KiB of receive buffer each.
     */
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final int MAX_BATCH_SIZE = 1024;
    public static final UdpConfig DEFAULTS = new UdpConfig(true, "::", 6969, 0, "", Duration.ofSeconds(10), false,
            DEFAULT_BATCH_SIZE, false);
    /** Shortest connection-id secret (its UTF-8 bytes are the HMAC key); empty means random per start. */
    public static final int MIN_SECRET_BYTES = 16;

    /** With the default batch size. */
    public UdpConfig(boolean enabled, String host, int port, int workers, String connectionIdSecret,
                     Duration maxClockSkew, boolean allowIpParam) {
        this(enabled, host, port, workers, connectionIdSecret, maxClockSkew, allowIpParam, DEFAULT_BATCH_SIZE);
    }

    /** Without arrival timestamps. */
    public UdpConfig(boolean enabled, String host, int port, int workers, String connectionIdSecret,
                     Duration maxClockSkew, boolean allowIpParam, int batchSize) {
        this(enabled, host, port, workers, connectionIdSecret, maxClockSkew, allowIpParam, batchSize, false);
    }

    public UdpConfig {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new ConfigException("udp.batch-size", "must be 1 to " + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        int secretBytes = connectionIdSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (secretBytes > 0 && secretBytes < MIN_SECRET_BYTES) {
            throw new ConfigException("udp.connection-id-secret", "must be at least " + MIN_SECRET_BYTES
                    + " bytes (e.g. the output of `openssl rand -hex 32`), or empty");
        }
    }

    public static UdpConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, "udp");
        UdpConfig d = DEFAULTS;
        String host = r.string("host", d.host);
        HttpConfig.checkHost(r.key("host"), host);
        UdpConfig c = new UdpConfig(
                r.bool("enabled", d.enabled),
                host,
                r.integer("port", d.port, 0, 65535),
                r.integer("workers", d.workers, 0, 1024),
                r.string("connection-id-secret", d.connectionIdSecret),
                r.duration("max-clock-skew", d.maxClockSkew),
                r.bool("allow-ip-param", d.allowIpParam),
                r.integer("batch-size", d.batchSize, 1, MAX_BATCH_SIZE),
                r.bool("arrival-timestamps", d.arrivalTimestamps));
        r.finish();
        return c;
    }

    /** Workers to run: the configured number, or one per available core for 0. */
    public int effectiveWorkers() {
        return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    }

    @Override
    public String toString() {
        return "UdpConfig[enabled=" + enabled + ", host=" + host + ", port=" + port + ", workers=" + workers
                + ", connectionIdSecret=" + (connectionIdSecret.isEmpty() ? "\"\"" : "<redacted>")
                + ", maxClockSkew=" + maxClockSkew + ", allowIpParam=" + allowIpParam + ", batchSize=" + batchSize
                + ", arrivalTimestamps=" + arrivalTimestamps + "]";
    }
}
