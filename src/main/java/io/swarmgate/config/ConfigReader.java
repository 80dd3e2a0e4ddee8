package io.swarmgate.config;

import io.helidon.config.Config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed, validating reads from one config section. Every read names the key it read, so {@link #finish()}
 * can refuse keys nobody asked for (a typo must not silently fall back to a default). Errors are
 * {@link ConfigException}s naming the full key.
 */
public final class ConfigReader {
    private final Config node;
    private final String path;
    private final Set<String> known = new LinkedHashSet<>();

    private ConfigReader(Config node, String path) {
        this.node = node;
        this.path = path;
    }

    /** Reads the section at {@code path} (dotted; may be missing, then every key takes its default). */
    public static ConfigReader of(Config node, String path) {
        if (node.exists() && !node.isObject() && !(node.isLeaf() && node.asString().orElse("").isEmpty())) {
            throw new ConfigException(path, "must be a mapping of keys to values");
        }
        return new ConfigReader(node, path);
    }

    public String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public Config node(String name) {
        known.add(name);
        return node.get(name);
    }

    public String string(String name, String def) {
        Config n = node(name);
        if (!n.exists()) {
            return def;
        }
        if (!n.isLeaf()) {
            throw new ConfigException(key(name), "must be a single value");
        }
        return n.asString().orElse(def);
    }

    public boolean bool(String name, boolean def) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(key(name), "must be true or false, got '" + v + "'");
        };
    }

    public int integer(String name, int def, int min, int max) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        int value;
        try {
            value = Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(key(name), "must be a whole number, got '" + v + "'");
        }
        if (value < min || value > max) {
            throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public double number(String name, double def, double min, double max) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        double value;
        try {
            value = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(key(name), "must be a number, got '" + v + "'");
        }
        if (!(value >= min && value <= max)) {
            throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + v);
        }
        return value;
    }

    /** A positive duration like {@code 30m}, {@code 10s}, {@code 1h30m}, {@code 500ms} or ISO-8601 {@code PT30M}. */
    public Duration duration(String name, Duration def) {
        return duration(name, def, false);
    }

    /** A duration that may be zero (e.g. a tolerance) but never negative. */
    public Duration durationOrZero(String name, Duration def) {
        return duration(name, def, true);
    }

    private Duration duration(String name, Duration def, boolean zeroAllowed) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        Duration d;
        try {
            d = Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key(name), e.getMessage());
        }
        if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
            throw new ConfigException(key(name), "must be a " + (zeroAllowed ? "non-negative" : "positive")
                    + " duration, got '" + v + "'");
        }
        return d;
    }

    /** A list of plain values; a missing key or an empty list gives {@code def}. */
    public List<String> strings(String name, List<String> def) {
        Config n = node(name);
        if (!n.exists()) {
            return def;
        }
        if (n.isLeaf()) {
            String v = n.asString().orElse("").strip();
            if (v.isEmpty() || v.equals("[]")) {
                return List.of();
            }
            // a single value (e.g. from an environment variable) may be comma separated
            List<String> out = new ArrayList<>();
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
            return List.copyOf(out);
        }
        if (!n.isList()) {
            throw new ConfigException(key(name), "must be a list");
        }
        List<String> out = new ArrayList<>();
        for (Config item : n.asNodeList().get()) {
            if (!item.isLeaf()) {
                throw new ConfigException(key(name), "must be a list of plain values");
            }
            out.add(item.asString().get());
        }
        return List.copyOf(out);
    }

    public List<Integer> integers(String name, List<Integer> def, int min, int max) {
        List<String> raw = strings(name, null);
        if (raw == null) {
            return def;
        }
        List<Integer> out = new ArrayList<>();
        for (String s : raw) {
            try {
                int v = Integer.parseInt(s.strip());
                if (v < min || v > max) {
                    throw new ConfigException(key(name), "values must be between " + min + " and " + max + ", got " + v);
                }
                out.add(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(key(name), "must be a list of whole numbers, got '" + s + "'");
            }
        }
        return List.copyOf(out);
    }

    /** Refuses keys in this section that no read asked for. */
    public void finish() {
        if (!node.exists() || !node.isObject()) {
            return;
        }
        for (Config child : node.asNodeList().orElse(List.of())) {
            String name = child.name();
            if (!known.contains(name)) {
                throw new ConfigException(key(name), "unknown key; known keys here: " + String.join(", ", known));
            }
        }
    }
}
