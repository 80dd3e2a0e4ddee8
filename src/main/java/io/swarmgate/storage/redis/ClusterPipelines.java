package io.swarmgate.storage.redis;

import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.providers.ClusterConnectionProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Redis Cluster's function calls pipelined per master ({@link PipelinedCalls} each), routed by the client's
 * map of slots to masters, so a Cluster gets what a single server gets: many calls per write and per read on
 * either side, instead of a pooled connection and a blocked thread per call.
 *
 * <p><b>When the map is wrong.</b> A master that no longer serves a slot refuses the call with MOVED or ASK,
 * so the call did not run; {@link RedisPeerStore} then sends it through the Cluster client, which follows the
 * redirection and renews the map, and the next calls go to the right master. A connection that fails (a master
 * down, failed over) asks for the map to be renewed ({@link #renewSoon}), at most one renewal at a time and
 * one per {@link #RENEW_INTERVAL_NANOS}; the calls that failed stay failed ("storage unavailable"), as on a
 * single server, and are not sent again (one may have run). A master whose pool the client replaced, or that
 * left the Cluster, gets a new pipeline or loses its own.
 */
final class ClusterPipelines implements AutoCloseable {
    private static final long RENEW_INTERVAL_NANOS = 100_000_000L;

    private final ClusterConnectionProvider provider;
    private final JedisClientConfig client;
    private final int maxInFlight;
    private final Duration timeout;
    private final String name;
    private final Map<String, Node> byNode = new ConcurrentHashMap<>();
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile long lastRenewal = System.nanoTime() - RENEW_INTERVAL_NANOS;
    private volatile boolean closed;

    /**
     * One master's pipeline (a connection of its own), and the client's pool for that master when it was made:
     * a pool the client replaced means the master did, too.
     */
    private record Node(ConnectionPool pool, PipelinedCalls calls) {
    }

    ClusterPipelines(ClusterConnectionProvider provider, JedisClientConfig client, int maxInFlight, Duration timeout,
                     String name) {
        this.provider = provider;
        this.client = client;
        this.maxInFlight = maxInFlight;
        this.timeout = timeout;
        this.name = name;
    }

    /** The pipeline to the master of {@code slot} as the client's map has it; null when the map has none. */
    PipelinedCalls forSlot(int slot) {
        HostAndPort master = provider.getNode(slot);
        if (master == null) {
            return null;
        }
        String key = master.toString();
        ConnectionPool pool = provider.getNodes().get(key);
        if (pool == null) {
            return null;
        }
        Node node = byNode.get(key);
        if (node != null && node.pool == pool) {
            return node.calls;
        }
        Node replaced;
        synchronized (this) {
            if (closed) {
                return null;
            }
            node = byNode.get(key);
            if (node != null && node.pool == pool) {
                return node.calls;
            }
            replaced = node;
            node = new Node(pool, new PipelinedCalls(master, client, maxInFlight, timeout,
                    name + "-" + master.getPort()));
            byNode.put(key, node);
        }
        if (replaced != null) {
            closeLater(List.of(replaced));
        }
        return node.calls;
    }

    /**
     * Renews the client's map of slots on a virtual thread, unless a renewal runs or ran within the last
     * {@link #RENEW_INTERVAL_NANOS}; then drops the pipelines of masters the client no longer knows.
     */
    void renewSoon() {
        if (closed || System.nanoTime() - lastRenewal < RENEW_INTERVAL_NANOS || !renewing.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name(name + "-renew").start(() -> {
            try {
                provider.renewSlotCache();
            } catch (RuntimeException ignored) {
                // no node answered: the next failure asks again
            } finally {
                lastRenewal = System.nanoTime();
                renewing.set(false);
            }
            prune();
        });
    }

    private void prune() {
        Map<String, ConnectionPool> nodes = provider.getNodes();
        List<Node> gone = new ArrayList<>();
        synchronized (this) {
            byNode.entrySet().removeIf(e -> {
                boolean stale = nodes.get(e.getKey()) != e.getValue().pool;
                if (stale) {
                    gone.add(e.getValue());
                }
                return stale;
            });
        }
        closeLater(gone);
    }

    /** Closing a pipeline waits for its reader: not on a caller's thread. */
    private static void closeLater(List<Node> nodes) {
        if (!nodes.isEmpty()) {
            Thread.ofVirtual().start(() -> nodes.forEach(n -> n.calls.close()));
        }
    }

    /** The masters as the client's map has them, by host:port, with its pool for each. */
    Map<String, ConnectionPool> primaries() {
        return provider.getPrimaryNodes();
    }

    @Override
    public void close() {
        List<Node> nodes;
        synchronized (this) {
            closed = true;
            nodes = new ArrayList<>(byNode.values());
            byNode.clear();
        }
        nodes.forEach(n -> n.calls.close());
    }
}
