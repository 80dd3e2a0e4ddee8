package io.swarmgate.deploy;

import io.swarmgate.config.SwarmgateConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A tracker configuration as a deployment file hands it over (YAML text plus SWARMGATE_* variables), validated
 * exactly as start-up validates it.
 */
final class DeployConfig {
    private DeployConfig() {
    }

    /** Validates and returns the effective configuration, as start-up would. */
    static SwarmgateConfig validate(String yaml, Map<String, String> env, Path scratch) {
        return load(yaml, env, scratch);
    }

    private static SwarmgateConfig load(String yaml, Map<String, String> env, Path scratch) {
        try {
            Path file = Files.writeString(Files.createTempFile(scratch, "swarmgate", ".yaml"), yaml);
            return SwarmgateConfig.load(file, env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
