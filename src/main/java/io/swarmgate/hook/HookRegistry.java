package io.swarmgate.hook;

import io.swarmgate.config.ConfigException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hook names a configuration may use, mapped to their factories. An instance, not static state; the wiring
 * ({@code io.swarmgate.Swarmgate}) says which factories it holds, so this SPI package knows none of its plug-ins.
 */
public final class HookRegistry {
    private final Map<String, HookFactory> factories = new LinkedHashMap<>();

    public HookRegistry(List<HookFactory> factories) {
        for (HookFactory factory : factories) {
            if (this.factories.putIfAbsent(factory.name(), factory) != null) {
                throw new IllegalArgumentException("hook " + factory.name() + " registered twice");
            }
        }
    }

    public Set<String> names() {
        return factories.keySet();
    }

    /** @throws ConfigException naming {@code key} when the hook is unknown */
    public HookFactory factory(String name, String key) {
        HookFactory f = factories.get(name);
        if (f == null) {
            throw new ConfigException(key, "unknown hook '" + name + "'; known hooks: " + String.join(", ", names()));
        }
        return f;
    }
}
