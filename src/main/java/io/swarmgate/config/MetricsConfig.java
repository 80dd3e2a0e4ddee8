package io.swarmgate.config;

import io.helidon.config.Config;
import io.swarmgate.bittorrent.IpAddress;

/**
 * {@code metrics:}: the separate listener for /metrics, /health/live, /health/ready and the operator routes.
 * {@code expose-swarms} lets {@code GET /swarms/<hex>} (which shows where a swarm's peers are) answer on a
 * listener that is not loopback-only; on a loopback host it always answers.
 */
public record MetricsConfig(boolean enabled, String host, int port, boolean exposeSwarms) {

    public static final MetricsConfig DEFAULTS = new MetricsConfig(true, "0.0.0.0", 6880, false);

    /** Without {@code expose-swarms} (false). */
    public MetricsConfig(boolean enabled, String host, int port) {
        this(enabled, host, port, false);
    }

    public static MetricsConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, "metrics");
        MetricsConfig d = DEFAULTS;
        String host = r.string("host", d.host);
        HttpConfig.checkHost(r.key("host"), host);
        MetricsConfig c = new MetricsConfig(r.bool("enabled", d.enabled), host, r.integer("port", d.port, 0, 65535),
                r.bool("expose-swarms", d.exposeSwarms));
        r.finish();
        return c;
    }

    /** Whether the listener binds a loopback address only (127.0.0.0/8 or ::1), so only this machine reaches it. */
    public boolean loopbackOnly() {
        IpAddress ip = IpAddress.parse(host);
        return ip.isIpv4() ? ip.sharesPrefix(IpAddress.parse("127.0.0.1"), 8) : ip.equals(IpAddress.parse("::1"));
    }
}
