package io.swarmgate.deploy;

import io.swarmgate.config.ConfigException;
import io.swarmgate.config.SwarmgateConfig;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tracker configuration as a deployment file hands it over (YAML text plus SWARMGATE_* variables), validated
 * exactly as start-up validates it.
 *
 * <p>TODO(redis store merge): the Redis store ({@code storage.type: redis}, {@code storage.redis.uri},
 * {@code .cluster}, {@code .timeout}, {@code .pool-size}) is being built elsewhere. Until it is in the code, start-up
 * refuses {@code type: redis}; then the storage keys are checked against that list of names only, and the rest of
 * the file is validated for real. Once the store exists the first attempt succeeds and this fallback is unused:
 * delete it then.
 */
final class DeployConfig {
    static final Set<String> PENDING_REDIS_KEYS = Set.of("storage.type", "storage.peer-lifetime", "storage.gc-interval",
            "storage.redis.uri", "storage.redis.cluster", "storage.redis.timeout", "storage.redis.pool-size");

    private DeployConfig() {
    }

    /** Validates and returns the effective configuration; {@code storage} is the defaults' while redis is pending. */
    static SwarmgateConfig validate(String yaml, Map<String, String> env, Path scratch) {
        try {
            return load(yaml, env, scratch);
        } catch (ConfigException e) {
            if (!(e.key().equals("storage.type") && e.getMessage().contains("'redis'"))) {
                throw e;
            }
        }
        // TODO(redis store merge): remove this branch
        Map<String, Object> tree = new Yaml().load(yaml);
        Map<String, Object> root = tree == null ? new LinkedHashMap<>() : new LinkedHashMap<>(tree);
        List<String> storageKeys = new ArrayList<>();
        flatten("storage", root.remove("storage"), storageKeys);
        Map<String, String> rest = new HashMap<>();
        env.forEach((name, value) -> {
            String key = key(name);
            if (key.startsWith("storage.")) {
                storageKeys.add(key);
            } else {
                rest.put(name, value);
            }
        });
        for (String key : storageKeys) {
            assertTrue(PENDING_REDIS_KEYS.contains(key), () -> key + " is neither a storage key nor a redis store key");
        }
        return load(new Yaml().dump(root), rest, scratch);
    }

    private static SwarmgateConfig load(String yaml, Map<String, String> env, Path scratch) {
        try {
            Path file = Files.writeString(Files.createTempFile(scratch, "swarmgate", ".yaml"), yaml);
            return SwarmgateConfig.load(file, env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, List<String> out) {
        if (node instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).forEach((k, v) -> flatten(prefix + "." + k, v, out));
        } else if (node != null) {
            out.add(prefix);
        }
    }

    /** The configuration key a SWARMGATE_ variable sets (README: "__" between levels, "_" for "-"). */
    static String key(String variable) {
        return variable.substring(SwarmgateConfig.ENV_PREFIX.length()).toLowerCase(Locale.ROOT)
                .replace("__", ".").replace('_', '-');
    }
}
