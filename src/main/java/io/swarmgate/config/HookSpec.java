package io.swarmgate.config;

import io.helidon.config.Config;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of {@code prehooks:} or {@code posthooks:}: a hook name, its own {@code config:} node, and the key of
 * the entry ({@code prehooks.0}), so that an error about the entry names the key the operator wrote.
 */
public record HookSpec(String name, Config config, String key) {

    /** The key of the entry's {@code name:}, which an unknown hook name is reported under. */
    public String nameKey() {
        return key + ".name";
    }

    public static List<HookSpec> list(Config node, String path) {
        if (!node.exists() || (node.isLeaf() && node.asString().orElse("").strip().matches("|\\[\\]"))) {
            return List.of();
        }
        if (!node.isList() && !node.isObject()) {
            throw new ConfigException(path, "must be a list of {name: ..., config: {...}}");
        }
        List<HookSpec> out = new ArrayList<>();
        List<Config> items = node.asNodeList().orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            String key = path + "." + i;
            ConfigReader r = ConfigReader.of(items.get(i), key);
            String name = r.string("name", "");
            if (name.isBlank()) {
                throw new ConfigException(r.key("name"), "every hook needs a name");
            }
            Config config = r.node("config");
            r.finish();
            out.add(new HookSpec(name.strip(), config, key));
        }
        return List.copyOf(out);
    }
}
