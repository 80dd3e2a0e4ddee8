package io.swarmgate.config;

import io.helidon.config.Config;

import java.time.Duration;
import java.util.Optional;

/** {@code tracker:}: what every announce and scrape answer is shaped by, whichever frontend carried it. */
public record TrackerConfig(Duration announceInterval, Duration minAnnounceInterval, int defaultNumWant,
                            int maxNumWant, int maxScrapeInfoHashes, Optional<RateLimitConfig> rateLimit) {

    public static final TrackerConfig DEFAULTS = new TrackerConfig(
            Duration.ofMinutes(30), Duration.ofMinutes(15), 50, 200, 64, Optional.empty());

    /** Without a rate limit. */
    public TrackerConfig(Duration announceInterval, Duration minAnnounceInterval, int defaultNumWant,
                         int maxNumWant, int maxScrapeInfoHashes) {
        this(announceInterval, minAnnounceInterval, defaultNumWant, maxNumWant, maxScrapeInfoHashes,
                Optional.empty());
    }

    public TrackerConfig {
        if (minAnnounceInterval.compareTo(announceInterval) > 0) {
            throw new ConfigException("tracker.min-announce-interval", "must not exceed tracker.announce-interval");
        }
        if (maxNumWant < defaultNumWant) {
            throw new ConfigException("tracker.max-numwant", "must be at least tracker.default-numwant ("
                    + defaultNumWant + "), got " + maxNumWant);
        }
    }

    public static TrackerConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, "tracker");
        TrackerConfig d = DEFAULTS;
        TrackerConfig c = new TrackerConfig(
                r.duration("announce-interval", d.announceInterval),
                r.duration("min-announce-interval", d.minAnnounceInterval),
                r.integer("default-numwant", d.defaultNumWant, 0, 10_000),
                r.integer("max-numwant", d.maxNumWant, 0, 10_000),
                r.integer("max-scrape-infohashes", d.maxScrapeInfoHashes, 1, 10_000),
                RateLimitConfig.create(r.node("rate-limit"), r.key("rate-limit")));
        r.finish();
        return c;
    }

    /** The numwant to use: the default when the client sent none (or a negative one), capped by the maximum. */
    public int numWant(int requested) {
        return requested < 0 ? defaultNumWant : Math.min(requested, maxNumWant);
    }

    public int intervalSeconds() {
        return (int) announceInterval.toSeconds();
    }

    public int minIntervalSeconds() {
        return (int) minAnnounceInterval.toSeconds();
    }
}
