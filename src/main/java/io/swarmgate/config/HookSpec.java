package io.swarmgate.config;

import io.helidon.config.Config;

import java.util.ArrayList;
import java.util.List;

/** One entry of {@code prehooks:} or {@code posthooks:}: a hook name and its own {@code config:} node. */
public record HookSpec(String name, Config config, String key) {

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
                throw new ConfigException(key + ".name", "every hook needs a name");
            }
            Config config = r.node("config");
            r.finish();
            out.add(new HookSpec(name.strip(), config, key + ".config"));
        }
        return List.copyOf(out);
    }
}
