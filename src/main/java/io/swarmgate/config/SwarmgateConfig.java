package io.swarmgate.config;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The whole configuration: one record per component, each built from its own section. Defaults live in each
 * record's {@code DEFAULTS} and equal {@code config/swarmgate.yaml}.
 *
 * <p>Environment variables override file keys, for secrets: {@code SWARMGATE_} then the key path, with
 * {@code __} between levels and {@code _} for {@code -}, e.g. {@code SWARMGATE_UDP__CONNECTION_ID_SECRET} for
 * {@code udp.connection-id-secret} or {@code SWARMGATE_PREHOOKS__0__CONFIG__ISSUER}.
 */
public record SwarmgateConfig(TrackerConfig tracker, HttpConfig http, UdpConfig udp, StorageConfig storage,
                              MetricsConfig metrics, List<HookSpec> prehooks, List<HookSpec> posthooks,
                              Duration shutdownGracePeriod) {

    public static final String ENV_PREFIX = "SWARMGATE_";
    /** How long requests already received may take to be answered after SIGTERM closed the listeners. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE_PERIOD = Duration.ofSeconds(10);
    private static final String SHUTDOWN_GRACE_PERIOD = "shutdown-grace-period";
    private static final Set<String> SECTIONS = Set.of("tracker", "http", "udp", "storage", "metrics", "prehooks",
            "posthooks", SHUTDOWN_GRACE_PERIOD);

    /** Without a shutdown grace period of its own: {@link #DEFAULT_SHUTDOWN_GRACE_PERIOD}. */
    public SwarmgateConfig(TrackerConfig tracker, HttpConfig http, UdpConfig udp, StorageConfig storage,
                           MetricsConfig metrics, List<HookSpec> prehooks, List<HookSpec> posthooks) {
        this(tracker, http, udp, storage, metrics, prehooks, posthooks, DEFAULT_SHUTDOWN_GRACE_PERIOD);
    }

    public static SwarmgateConfig defaults() {
        return create(Config.empty());
    }

    /** Reads a YAML file with environment overrides from {@code env}. */
    public static SwarmgateConfig load(Path file, Map<String, String> env) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("--config", "no such file: " + file);
        }
        return parsed(() -> Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(envOverrides(env)))
                // YAML whatever the file is called (Helidon picks a parser by the name's extension, and refused
                // a file without a known one, such as /etc/swarmgate/config)
                .addSource(ConfigSources.file(file).mediaType(MediaTypes.APPLICATION_X_YAML).build())
                .build());
    }

    /** Parses YAML text (tests, examples). */
    public static SwarmgateConfig fromYaml(String yaml) {
        return parsed(() -> Yaml.text(yaml));
    }

    /** The configuration of the YAML that {@code source} parses ({@link Yaml#read}: YAML that is none). */
    private static SwarmgateConfig parsed(Supplier<Config> source) {
        return Yaml.read("--config", () -> create(source.get()));
    }

    public static SwarmgateConfig create(Config root) {
        if (root.exists() && root.isObject()) {
            for (Config section : root.asNodeList().orElse(List.of())) {
                if (!SECTIONS.contains(section.name())) {
                    throw new ConfigException(section.name(), "unknown section; known sections: "
                            + String.join(", ", new java.util.TreeSet<>(SECTIONS)));
                }
            }
        }
        TrackerConfig tracker = TrackerConfig.create(root.get("tracker"));
        return new SwarmgateConfig(
                tracker,
                HttpConfig.create(root.get("http")),
                UdpConfig.create(root.get("udp")),
                StorageConfig.create(root.get("storage"), tracker),
                MetricsConfig.create(root.get("metrics")),
                HookSpec.list(root.get("prehooks"), "prehooks"),
                HookSpec.list(root.get("posthooks"), "posthooks"),
                shutdownGracePeriod(root));
    }

    /** The top-level {@code shutdown-grace-period}: a scalar next to the sections, read like a section's key. */
    private static Duration shutdownGracePeriod(Config root) {
        return ConfigReader.of(root.exists() && root.isObject() ? root : Config.empty(), "")
                .duration(SHUTDOWN_GRACE_PERIOD, DEFAULT_SHUTDOWN_GRACE_PERIOD);
    }

    /** {@code SWARMGATE_HTTP__REAL_IP_HEADER=X-Forwarded-For} becomes {@code http.real-ip-header}. */
    static Map<String, String> envOverrides(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                String path = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT)
                        .replace("__", ".").replace('_', '-');
                out.put(path, value);
            }
        });
        return out;
    }
}
