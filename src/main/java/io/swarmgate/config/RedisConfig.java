package io.swarmgate.config;

import io.helidon.config.Config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * {@code storage.redis:}: where the Redis store lives and how long an announce may wait for it.
 *
 * @param uri      {@code redis://[user:password@]host:port[/db]} or {@code rediss://} for TLS; with
 *                 {@code cluster} a seed node of the Cluster (no database number there)
 * @param timeout  per command: an announce never waits longer for the store (connecting, a free connection,
 *                 the reply), then fails with {@code storage unavailable}
 * @param poolSize the commands in flight per instance (a single server's are pipelined over two connections; on
 *                 a Cluster, the connections per node)
 */
public record RedisConfig(String uri, boolean cluster, Duration timeout, int poolSize) {

    public static final RedisConfig DEFAULTS = new RedisConfig("redis://127.0.0.1:6379/0", false,
            Duration.ofMillis(500), 32);

    public static RedisConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, "storage.redis");
        RedisConfig d = DEFAULTS;
        RedisConfig c = new RedisConfig(
                r.string("uri", d.uri),
                r.bool("cluster", d.cluster),
                r.duration("timeout", d.timeout),
                r.integer("pool-size", d.poolSize, 1, 10_000));
        r.finish();
        URI parsed;
        try {
            parsed = new URI(c.uri);
        } catch (URISyntaxException e) {
            throw new ConfigException(r.key("uri"), "not a URI: " + e.getMessage());
        }
        if (!"redis".equals(parsed.getScheme()) && !"rediss".equals(parsed.getScheme())) {
            throw new ConfigException(r.key("uri"), "must start with redis:// or rediss://");
        }
        if (parsed.getHost() == null) {
            throw new ConfigException(r.key("uri"), "names no host");
        }
        if (c.cluster && parsed.getPath() != null && parsed.getPath().length() > 1 && !parsed.getPath().equals("/0")) {
            throw new ConfigException(r.key("uri"), "a Redis Cluster has only database 0");
        }
        if (c.timeout.toMillis() < 1 || c.timeout.toMillis() > Integer.MAX_VALUE) {
            throw new ConfigException(r.key("timeout"), "must be at least 1ms");
        }
        return c;
    }

    /** The URI without user and password, for logs and readiness reasons. */
    public String redactedUri() {
        try {
            URI u = new URI(uri);
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return "<unparsable uri>";
        }
    }

    @Override
    public String toString() {
        return "RedisConfig[uri=" + redactedUri() + ", cluster=" + cluster + ", timeout=" + timeout
                + ", poolSize=" + poolSize + "]";
    }
}
