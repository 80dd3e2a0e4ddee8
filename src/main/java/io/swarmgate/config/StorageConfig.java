package io.swarmgate.config;

import io.helidon.config.Config;

import java.time.Duration;

/** {@code storage:}: which {@link io.swarmgate.storage.PeerStore} and how long peers live without announcing. */
public record StorageConfig(String type, Duration peerLifetime, Duration gcInterval, Config node) {

    public static final StorageConfig DEFAULTS = new StorageConfig("memory", Duration.ofMinutes(31), Duration.ofMinutes(1),
            Config.empty());

    public static StorageConfig create(Config node, TrackerConfig tracker) {
        ConfigReader r = ConfigReader.of(node, "storage");
        StorageConfig d = DEFAULTS;
        String type = r.string("type", d.type);
        if (!type.equals("memory")) {
            throw new ConfigException("storage.type", "unknown store '" + type + "'; known stores: memory");
        }
        StorageConfig c = new StorageConfig(type,
                r.duration("peer-lifetime", d.peerLifetime),
                r.duration("gc-interval", d.gcInterval),
                node);
        r.finish();
        if (c.peerLifetime.compareTo(tracker.announceInterval()) <= 0) {
            throw new ConfigException("storage.peer-lifetime", "must be longer than tracker.announce-interval ("
                    + Durations.format(tracker.announceInterval()) + "), or peers expire between announces");
        }
        return c;
    }
}
