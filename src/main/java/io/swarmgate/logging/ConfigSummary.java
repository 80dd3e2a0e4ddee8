package io.swarmgate.logging;

import io.helidon.config.Config;
import io.swarmgate.config.Durations;
import io.swarmgate.config.HookSpec;
import io.swarmgate.config.SwarmgateConfig;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The effective configuration as one log line for start-up, e.g.
 * {@code tracker{announce-interval=30m, ...} http{...} udp{..., connection-id-secret=<redacted>, ...} ...
 * prehooks=[jwt{issuer=..., ...}] posthooks=[]}, so an operator can see what the process actually runs with,
 * defaults included.
 *
 * <p>It walks the config records rather than listing their fields, so a field added to a record shows up
 * without touching this class; names are the records' component names in the file's kebab-case. Secrets are
 * never written: any key with a word such as secret, password, key or token in its name (at any depth, in
 * records and in hook or store config trees) reads {@code <redacted>} when set, and the user-info part of any
 * URL ({@code redis://user:pass@host}) is redacted too.
 */
public final class ConfigSummary {
    public static final String REDACTED = "<redacted>";
    private static final Set<String> SECRET_WORDS = Set.of("secret", "secrets", "password", "passwords", "passwd",
            "key", "keys", "apikey", "token", "tokens", "credential", "credentials", "passphrase");
    private static final Pattern URL_USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s]*@");
    private static final Pattern URL_PARAM = Pattern.compile("([?&;]([A-Za-z0-9_.-]+)=)[^&;#\\s']*");
    private static final Pattern WORD_BREAK = Pattern.compile("[-_.]|(?<=[a-z0-9])(?=[A-Z])");

    private ConfigSummary() {
    }

    public static String render(SwarmgateConfig config) {
        return String.join(" ", sections(config));
    }

    /** One entry per section ({@code tracker{...}}, ..., {@code prehooks=[...]}), in the order of the file. */
    public static List<String> sections(SwarmgateConfig config) {
        List<String> sections = new ArrayList<>();
        for (RecordComponent c : SwarmgateConfig.class.getRecordComponents()) {
            StringBuilder b = new StringBuilder(128);
            String name = kebab(c.getName());
            Object value = get(c, config);
            if (value instanceof Record r) {
                b.append(name);
                record(b, r);
            } else {
                b.append(name).append('=');
                value(b, name, value);
            }
            sections.add(b.toString());
        }
        return sections;
    }

    /** Whether a key with this name holds a secret: one of its words (kebab, snake or camel case) says so. */
    static boolean isSecretName(String name) {
        for (String word : WORD_BREAK.split(name)) {
            if (SECRET_WORDS.contains(word.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Redacts the user-info part of any URL in {@code s} ({@code redis://user:pass@host}) and the value of any
     * query parameter with a secret name ({@code jdbc:postgresql://db/x?password=...}): for log lines and error
     * messages that name a configured URL.
     */
    public static String redactUrls(String s) {
        String out = s.indexOf("://") < 0 ? s : URL_USERINFO.matcher(s).replaceAll("$1" + REDACTED + "@");
        return out.indexOf('=') < 0 ? out : URL_PARAM.matcher(out).replaceAll(m -> isSecretName(m.group(2))
                ? java.util.regex.Matcher.quoteReplacement(m.group(1) + REDACTED) : "$0");
    }

    private static void record(StringBuilder b, Record r) {
        b.append('{');
        Set<String> shown = new HashSet<>();
        boolean first = true;
        List<Config> trees = new ArrayList<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object value = get(c, r);
            if (value instanceof Config tree) {
                trees.add(tree); // the raw section: only its keys that no typed field showed
                continue;
            }
            String name = kebab(c.getName());
            shown.add(name);
            if (!first) {
                b.append(", ");
            }
            first = false;
            if (value instanceof Record nested) {
                b.append(name); // a subsection such as storage.redis, shown like the file nests it
                record(b, nested);
                continue;
            }
            b.append(name).append('=');
            value(b, name, value);
        }
        for (Config tree : trees) {
            first = keys(b, tree, shown, first);
        }
        b.append('}');
    }

    /** Appends {@code tree}'s keys not in {@code skip}, comma separated; returns whether nothing was written yet. */
    private static boolean keys(StringBuilder b, Config tree, Set<String> skip, boolean first) {
        for (Config child : children(tree)) {
            if (skip.contains(child.name())) {
                continue;
            }
            if (!first) {
                b.append(", ");
            }
            first = false;
            b.append(child.name());
            tree(b, child, isSecretName(child.name()));
        }
        return first;
    }

    private static void value(StringBuilder b, String name, Object value) {
        if (value instanceof HookSpec hook) {
            b.append(hook.name());
            b.append('{');
            keys(b, hook.config(), Set.of(), true);
            b.append('}');
        } else if (value instanceof Collection<?> list) {
            b.append('[');
            boolean first = true;
            for (Object o : list) {
                if (!first) {
                    b.append(", ");
                }
                first = false;
                value(b, name, o);
            }
            b.append(']');
        } else if (value instanceof Duration d) {
            b.append(Durations.format(d));
        } else if (value instanceof Optional<?> optional) {
            // an optional section (tracker.rate-limit): absent means the feature is off
            if (optional.isEmpty()) {
                b.append("off");
            } else if (optional.get() instanceof Record section) {
                record(b, section);
            } else {
                value(b, name, optional.get());
            }
        } else {
            scalar(b, String.valueOf(value), isSecretName(name));
        }
    }

    /** A config subtree: {@code ={...}} for objects, {@code =[...]} for lists, {@code =value} for leaves. */
    private static void tree(StringBuilder b, Config node, boolean secret) {
        if (node.isLeaf()) {
            b.append('=');
            scalar(b, node.asString().orElse(""), secret);
            return;
        }
        boolean list = node.isList();
        b.append(list ? "=[" : "{");
        boolean first = true;
        for (Config child : children(node)) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            if (list) {
                if (child.isLeaf()) {
                    scalar(b, child.asString().orElse(""), secret);
                } else {
                    tree(b, child, secret);
                }
            } else {
                b.append(child.name());
                tree(b, child, secret || isSecretName(child.name()));
            }
        }
        b.append(list ? "]" : "}");
    }

    private static void scalar(StringBuilder b, String s, boolean secret) {
        if (s.isEmpty()) {
            b.append("\"\"");
        } else if (secret) {
            b.append(REDACTED);
        } else {
            b.append(redactUrls(s));
        }
    }

    private static List<Config> children(Config node) {
        if (node == null || !node.exists() || node.isLeaf()) {
            return List.of();
        }
        return node.asNodeList().orElse(List.of());
    }

    private static Object get(RecordComponent c, Object owner) {
        try {
            return c.getAccessor().invoke(owner);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return "?";
        }
    }

    /** {@code announceInterval} to {@code announce-interval}; the file spells numwant and infohashes as words. */
    static String kebab(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('-').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString().replace("num-want", "numwant").replace("info-hashes", "infohashes");
    }
}
