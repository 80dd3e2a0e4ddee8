package io.swarmgate.hook;

import io.swarmgate.config.ConfigException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The hook names a configuration may use, mapped to their factories. An instance, not static state. */
public final class HookRegistry {
    private final Map<String, HookFactory> factories = new LinkedHashMap<>();

    /** The built-in hooks. */
    public static HookRegistry builtIn() {
        HookRegistry registry = new HookRegistry();
        registry.register(new io.swarmgate.hook.jwt.JwtHookFactory());
        registry.register(new io.swarmgate.hook.subnet.SubnetPreferenceHookFactory());
        registry.register(new io.swarmgate.hook.approval.ClientApprovalHookFactory());
        registry.register(new io.swarmgate.hook.approval.TorrentApprovalHookFactory());
        registry.register(new io.swarmgate.hook.interval.IntervalVariationHookFactory());
        registry.register(new io.swarmgate.hook.accounting.AccountingHookFactory());
        return registry;
    }

    public HookRegistry register(HookFactory factory) {
        if (factories.putIfAbsent(factory.name(), factory) != null) {
            throw new IllegalArgumentException("hook " + factory.name() + " registered twice");
        }
        return this;
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
