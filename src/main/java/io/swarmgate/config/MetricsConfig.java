package io.swarmgate.config;

import io.helidon.config.Config;

/** {@code metrics:}: the separate listener for /metrics, /health/live and /health/ready. */
public record MetricsConfig(boolean enabled, String host, int port) {

    public static final MetricsConfig DEFAULTS = new MetricsConfig(true, "0.0.0.0", 6880);

    public static MetricsConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, "metrics");
        MetricsConfig d = DEFAULTS;
        String host = r.string("host", d.host);
        HttpConfig.checkHost(r.key("host"), host);
        MetricsConfig c = new MetricsConfig(r.bool("enabled", d.enabled), host, r.integer("port", d.port, 0, 65535));
        r.finish();
        return c;
    }
}
