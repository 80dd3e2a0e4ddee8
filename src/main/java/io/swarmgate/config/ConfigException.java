package io.swarmgate.config;

/** A configuration the tracker refuses to start with; the message names the key. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    /** Dotted path of the offending key, e.g. {@code tracker.max-numwant}. */
    public String key() {
        return key;
    }
}
