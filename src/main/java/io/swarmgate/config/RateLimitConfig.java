package io.swarmgate.config;

import io.helidon.config.Config;

import java.util.Optional;

/**
 * {@code tracker.rate-limit: {announces-per-minute: N, burst: M}}: announces allowed per client address. Absent
 * means no limit. {@code burst} (default: N) is how many announces an address may send at once after being
 * quiet; after that it gets one every 60/N seconds.
 */
public record RateLimitConfig(int announcesPerMinute, int burst) {

    public RateLimitConfig {
        if (announcesPerMinute < 1 || burst < 1) {
            throw new ConfigException("tracker.rate-limit", "announces-per-minute and burst must be at least 1");
        }
    }

    static Optional<RateLimitConfig> create(Config node, String path) {
        if (!node.exists()) {
            return Optional.empty();
        }
        ConfigReader r = ConfigReader.of(node, path);
        if (!r.node("announces-per-minute").exists()) {
            throw new ConfigException(r.key("announces-per-minute"), "required when " + path + " is set");
        }
        int perMinute = r.integer("announces-per-minute", 0, 1, 60_000);
        RateLimitConfig c = new RateLimitConfig(perMinute, r.integer("burst", perMinute, 1, 1_000_000));
        r.finish();
        return Optional.of(c);
    }
}
