package io.swarmgate.hook;

import io.helidon.config.Config;

/**
 * Builds one configured hook from its {@code config:} node. Factories validate their own keys and throw
 * {@link io.swarmgate.config.ConfigException} naming the key for bad values, so start-up fails clearly.
 */
public interface HookFactory {

    /** The {@code name:} used in {@code prehooks} / {@code posthooks}. */
    String name();

    Hook create(Config config, HookServices services) throws Exception;
}
