package io.swarmgate.config;

import io.helidon.config.Config;

import java.time.Duration;

/**
 * {@code storage:}: which {@link io.swarmgate.storage.PeerStore} and how long peers live without announcing;
 * {@code redis} is read (and checked) whatever the type, so a typo there never waits for the day it is used.
 */
public record StorageConfig(String type, Duration peerLifetime, Duration gcInterval, RedisConfig redis, Config node) {

    public static final StorageConfig DEFAULTS = new StorageConfig("memory", Duration.ofMinutes(31), Duration.ofMinutes(1),
            RedisConfig.DEFAULTS, Config.empty());

    public static StorageConfig create(Config node, TrackerConfig tracker) {
        ConfigReader r = ConfigReader.of(node, "storage");
        StorageConfig d = DEFAULTS;
        String type = r.string("type", d.type);
        if (!type.equals("memory") && !type.equals("redis")) {
            throw new ConfigException("storage.type", "unknown store '" + type + "'; known stores: memory, redis");
        }
        StorageConfig c = new StorageConfig(type,
                r.duration("peer-lifetime", d.peerLifetime),
                r.duration("gc-interval", d.gcInterval),
                RedisConfig.create(r.node("redis")),
                node);
        r.finish();
        if (c.peerLifetime.compareTo(tracker.announceInterval()) <= 0) {
            throw new ConfigException("storage.peer-lifetime", "must be longer than tracker.announce-interval ("
                    + Durations.format(tracker.announceInterval()) + "), or peers expire between announces");
        }
        return c;
    }
}
