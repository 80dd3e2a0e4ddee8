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

    /**
     * Fails exactly as {@link #create} would for this {@code config}, without reaching the network
     * ({@code swarmgate config check}). By default it creates the hook and closes it again, which suits hooks
     * whose start-up is local (reading a file is fine); a factory whose {@code create} fetches something
     * overrides this to validate the configuration only.
     */
    default void check(Config config, HookServices services) throws Exception {
        create(config, services).close();
    }
}
