package io.swarmgate.config;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.util.function.Supplier;

/**
 * The two ways YAML can fail to be configuration at all, put in a reader's terms: Helidon's YAML reader follows
 * an alias inside the anchor it names ({@code http: &a {port: *a}}) until the stack overflows, and casts a top
 * level that is not a mapping (a list, a single value) with a Java cast message.
 */
public final class Yaml {
    private Yaml() {
    }

    /** The configuration YAML {@code text} holds, and nothing else (no environment, no system properties). */
    public static Config text(String text) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(text, MediaTypes.APPLICATION_X_YAML))
                .build();
    }

    /**
     * Runs {@code read}, which parses YAML with Helidon's config (and may go on to read it); those two failures
     * become a {@link ConfigException} on {@code key}, any other failure stays as it is.
     */
    public static <T> T read(String key, Supplier<T> read) {
        try {
            return read.get();
        } catch (StackOverflowError e) {
            // (or nests thousands deep, which no configuration does)
            throw new ConfigException(key, "the YAML refers to itself (an alias *name inside the anchor &name it"
                    + " names) or nests too deep");
        } catch (io.helidon.config.ConfigException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof ClassCastException) {
                    throw new ConfigException(key, "the top level must be a mapping of keys to values, not a list"
                            + " or a single value");
                }
            }
            throw e;
        }
    }
}
