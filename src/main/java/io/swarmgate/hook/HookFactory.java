package io.swarmgate.hook;

import io.helidon.config.Config;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Builds one configured hook from its {@code config:} node. Factories validate their own keys and throw
 * {@link io.swarmgate.config.ConfigException} naming the key for bad values (it is unchecked: nothing else is
 * expected), so start-up fails clearly. Each built-in hook offers its factory as a {@code FACTORY} constant; the
 * wiring, not this package, lists them.
 */
public interface HookFactory {

    /** The {@code name:} used in {@code prehooks} / {@code posthooks}. */
    String name();

    Hook create(Config config, HookServices services);

    /**
     * Fails exactly as {@link #create} would for this {@code config}, without reaching the network
     * ({@code swarmgate config check}). By default it creates the hook and closes it again, which suits hooks
     * whose start-up is local (reading a file is fine); a factory whose {@code create} fetches something
     * overrides this to validate the configuration only.
     */
    default void check(Config config, HookServices services) {
        create(config, services).close();
    }

    /** A factory whose start-up is local, so {@link #check} may simply build the hook and close it. */
    static HookFactory of(String name, BiFunction<Config, HookServices, Hook> create) {
        Objects.requireNonNull(name);
        Objects.requireNonNull(create);
        return new HookFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Hook create(Config config, HookServices services) {
                return create.apply(config, services);
            }
        };
    }
}
