package io.swarmgate.storage.redis;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;
import io.swarmgate.bittorrent.SwarmStats;
import io.swarmgate.config.RedisConfig;
import io.swarmgate.config.StorageConfig;
import io.swarmgate.storage.AnnounceResult;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.StoreTotals;
import io.swarmgate.storage.StoreUnavailableException;
import io.swarmgate.storage.SwarmDetail;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.JedisURIHelper;
import redis.clients.jedis.util.Pool;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link PeerStore} in Redis, shared by every tracker instance pointed at it: a single server or a Redis
 * Cluster ({@code storage.redis.cluster}).
 *
 * <p><b>One round trip per announce.</b> The function {@code sg_announce} ({@code announce.lua}, in the library
 * {@link Library} loads) expires the swarm's stale peers, applies the event, selects the peers and reads the
 * counts in one FCALL: atomic, as Redis runs a function to its end before anything else, so the next request sees
 * the announcer's new state. The library is loaded on every node at start and again into a server that answers
 * that it has no such function (restarted, failed over, a new Cluster master).
 *
 * <p><b>Keys.</b> Per swarm, all with the hash tag {@code {<info_hash hex>}} so a swarm lives in one Cluster
 * slot: seeders and leechers per address family ({@code sg:{h}:4s 4l 6s 6l}, sorted sets whose members are
 * address and port bytes, so a subnet is one lexicographic range and a locality tier costs two ZLEXCOUNTs),
 * {@code sg:{h}:seen} (every peer scored by last-seen, for expiry), {@code sg:{h}:ids} (peer_id and packed slot),
 * beside each list its packed string ({@code sg:{h}:4sp}...: the entries in fixed-size slots, so a handout without
 * tiers is a few GETRANGEs, not one Lua string per peer),
 * {@code sg:{h}:downloaded}, {@code sg:{h}:n} (the four list sizes, kept by the scripts, so the counts of an
 * answer cost one HMGET) and {@code sg:{h}:timeline} (the completion timeline); for peers placed by a topology
 * map ({@link PeerPreference#groups}) {@code sg:{h}:groups} (member to the group keys it announced with) and per
 * group key and list a sorted set like the list ({@code sg:{h}:groups:4s:dc1/pod3}), so a group tier costs a
 * ZCARD and its draws a ZRANGE and a ZSCORE each. Gauge totals and the list of swarms to sweep live in index shards
 * {@code sg:swarms:{t}} and {@code sg:totals:{t}}: one shard on a single server; on a Cluster one per slot, its
 * tag {@code t} chosen to hash to that slot, so the script updates the swarm and its shard without a cross-slot
 * command. The keyspace is never scanned.
 *
 * <p><b>Failures.</b> A store call fails {@code storage.redis.timeout} after it began, whichever way it went
 * (sent again after loading the library, or through the Cluster client after a refusal); at most {@code pool-size}
 * connections per node are used, and a request waits at most the timeout for one. Any failure becomes a
 * {@link StoreUnavailableException} (the client gets {@code storage unavailable}) and turns readiness to not
 * ready until Redis answers again; idle connections are dropped then, so the pool reconnects by itself.
 */
public final class RedisPeerStore implements PeerStore {
    private static final Logger LOG = System.getLogger(RedisPeerStore.class.getName());
    static final int SLOTS = 16_384;
    /** Peers one sweep call drops from one swarm; a larger backlog takes more calls. */
    private static final int SWEEP_PEERS = 1_000;
    /** Swarms one sweep pass takes from one index shard; the rest wait for the next pass. */
    private static final int SWEEP_SWARMS = 10_000;
    private static final long PROBE_NANOS = 1_000_000_000L;
    /** How long a Cluster call refused with TRYAGAIN (its slot migrating) waits before it is sent again. */
    private static final long TRYAGAIN_PAUSE_NANOS = 10_000_000L;
    private static final byte[] EVENT_NONE = {'n'};
    private static final byte[] EVENT_COMPLETED = {'c'};
    private static final byte[] EVENT_STOPPED = {'x'};
    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};
    private static final byte[] NO_BYTES = {};
    /** Where a blocking call of the asynchronous step runs: a virtual thread each. */
    private static final Executor VIRTUAL = task -> Thread.ofVirtual().start(task);

    private final RedisConfig config;
    private final UnifiedJedis redis;
    private final JedisCluster cluster;
    private final JedisPooled single;
    /** A single server's function calls, pipelined over a few connections; null on a Cluster. */
    private final PipelinedCalls pipeline;
    /** A Cluster's function calls, pipelined per master; null on a single server. */
    private final ClusterPipelines masters;
    private final InstantSource clock;
    private final long lifetimeSeconds;
    private final String name;
    private final Library library = Library.load();
    private final byte[] announce = library.function("sg_announce");
    private final byte[] stats = library.function("sg_stats");
    private final byte[] sweep = library.function("sg_sweep");
    private final byte[] swarm = library.function("sg_swarm");
    private final byte[] shards = Library.resource("shards.lua").getBytes(StandardCharsets.UTF_8);
    /** Per index shard its hash tag: one shard on a single server, one per slot on a Cluster. */
    private final String[] shardTags;
    /** Per index shard its keys, {@link #shardKeys(int)}. */
    private final AtomicReferenceArray<byte[][]> shardKeys;
    private volatile String failure = "";
    private volatile long lastContact;
    /** On a Cluster: when the masters were last probed, and which did not answer ("" when all did). */
    private volatile long lastProbe = System.nanoTime() - 2 * PROBE_NANOS;
    private volatile String probeFailure = "";

    /**
     * Connects (a Cluster seed must answer now, to learn the slots; a single server may come later) and loads
     * the scripts where it can.
     *
     * @throws IllegalStateException when the Cluster cannot be reached
     */
    public RedisPeerStore(RedisConfig config, Duration peerLifetime, InstantSource clock) {
        if (peerLifetime.toSeconds() <= 0) {
            throw new IllegalArgumentException("peer lifetime must be at least one second, got " + peerLifetime);
        }
        this.config = Objects.requireNonNull(config);
        this.clock = Objects.requireNonNull(clock);
        this.lifetimeSeconds = peerLifetime.toSeconds();
        this.name = "redis store " + config.redactedUri();
        URI uri = URI.create(config.uri());
        int millis = (int) config.timeout().toMillis();
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                // no CLIENT SETINFO per connection: the only commands the tracker sends are its scripts
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri));
        HostAndPort node = JedisURIHelper.getHostAndPort(uri);
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.poolSize());
        pool.setMaxIdle(config.poolSize());
        pool.setMinIdle(0);
        pool.setMaxWait(config.timeout());
        pool.setBlockWhenExhausted(true);
        pool.setJmxEnabled(false);
        if (config.cluster()) {
            JedisClientConfig c = client.build();
            try {
                // MOVED/ASK and topology changes are followed by the client, within one timeout in all; the
                // pipelines route by its map of slots (ClusterPipelines)
                ClusterConnectionProvider provider = new ClusterConnectionProvider(Set.of(node), c, pool);
                this.cluster = new JedisCluster(provider, 5, config.timeout());
                this.masters = new ClusterPipelines(provider, c, config.poolSize(), config.timeout(), "redis-store");
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot reach the Redis Cluster at " + config.redactedUri() + ": "
                        + e.getMessage(), e);
            }
            this.single = null;
            this.pipeline = null;
            this.redis = cluster;
            this.shardTags = slotTags();
            this.shardKeys = new AtomicReferenceArray<>(SLOTS);
        } else {
            JedisClientConfig c = client.database(JedisURIHelper.getDBIndex(uri)).build();
            this.single = new JedisPooled(pool, node, c);
            this.cluster = null;
            this.masters = null;
            this.pipeline = new PipelinedCalls(node, c, config.poolSize(), config.timeout(), "redis-store");
            this.redis = single;
            this.shardTags = new String[] {"all"};
            this.shardKeys = new AtomicReferenceArray<>(1);
        }
        loadLibrary();
    }

    /** The store as {@code storage:} configures it. */
    public static RedisPeerStore create(StorageConfig config, InstantSource clock) {
        return new RedisPeerStore(config.redis(), config.peerLifetime(), clock);
    }

    private void loadLibrary() {
        try {
            for (Pool<Connection> pool : pools()) {
                try (Connection c = pool.getResource()) {
                    library.loadInto(c);
                } catch (JedisDataException e) {
                    if (!String.valueOf(e.getMessage()).startsWith("READONLY")) {
                        throw e;
                    }
                    // a Cluster replica: it gets the library from its master
                }
            }
            contact();
        } catch (RuntimeException e) {
            // not fatal: the first announce loads it ("Function not found") once Redis is there
            failed(e);
        }
    }

    private List<Pool<Connection>> pools() {
        if (single != null) {
            return List.of(single.getPool());
        }
        List<Pool<Connection>> pools = new ArrayList<>();
        for (Map.Entry<String, ConnectionPool> e : cluster.getClusterNodes().entrySet()) {
            pools.add(e.getValue());
        }
        return pools;
    }

    // ---- keys ------------------------------------------------------------------------------------------------

    /**
     * For each Cluster slot a short tag that hashes to it, found by counting: the index shard of a swarm takes
     * the tag of the swarm's slot, so a script may write both.
     */
    static String[] slotTags() {
        String[] tags = new String[SLOTS];
        int found = 0;
        for (int i = 0; found < SLOTS; i++) {
            String tag = Integer.toString(i, 36);
            int slot = JedisClusterCRC16.getSlot(tag);
            if (tags[slot] == null) {
                tags[slot] = tag;
                found++;
            }
        }
        return tags;
    }

    private int shard(String hex) {
        return shardTags.length == 1 ? 0 : JedisClusterCRC16.getSlot(hex);
    }

    /** A shard's index and totals keys as bytes, made on first use (one shard on a single server, 16,384 on a Cluster). */
    private byte[][] shardKeys(int shard) {
        byte[][] k = shardKeys.get(shard);
        if (k == null) {
            String tag = shardTags[shard];
            k = new byte[][] {bytes(indexKey(tag)), bytes(totalsKey(tag))};
            shardKeys.set(shard, k);
        }
        return k;
    }

    private static String indexKey(String tag) {
        return "sg:swarms:{" + tag + "}";
    }

    private static String totalsKey(String tag) {
        return "sg:totals:{" + tag + "}";
    }

    /** The swarm keys' suffixes in common.lua's order; null where the index shard's keys go (8 and 9). */
    private static final byte[][] SUFFIXES = {bytes("4s"), bytes("4l"), bytes("6s"), bytes("6l"), bytes("seen"),
            bytes("ids"), bytes("downloaded"), null, null, bytes("n"), bytes("timeline"), bytes("groups")};

    private static final byte[] FCALL = bytes("FCALL");
    private static final int HEX = 40;

    /**
     * One call of a library function on one swarm (common.lua's keys, then {@code args}), described once as
     * {@link Resp} parts: encoded for a pipeline, and as lists of keys and arguments for the Cluster client and
     * the library's loading, which need them rarely and get them made on demand. The keys come from one prefix
     * ({@code sg:{<hex>}:}, whose hex is also the first argument of every function) and the suffixes, without
     * an array per key: this runs once per announce.
     */
    private final class SwarmCall {
        final byte[] function;
        /** {@code sg:{<hex>}:} */
        final byte[] prefix;
        /**
         * On a Cluster the swarm's slot, which is also the number of its index shard; 0 on a single server (one
         * shard, and no slots to route by).
         */
        final int slot;
        final byte[][] shard;
        /** The function's arguments after the hex, the same parts each time it runs. */
        final Consumer<Resp.Parts> args;
        /** Made on first use and kept: a call may be sent again (the library loaded, a sweep's next batch). */
        private byte[] encoded;
        private List<byte[]> listed;

        SwarmCall(byte[] function, String hex, Consumer<Resp.Parts> args) {
            this.function = function;
            this.prefix = bytes("sg:{" + hex + "}:");
            this.slot = shard(hex);
            this.shard = shardKeys(slot);
            this.args = args;
        }

        /** FCALL, the function, the number of keys, the keys (in common.lua's order), the hex, the arguments. */
        void parts(Resp.Parts p) {
            p.bulk(FCALL);
            p.bulk(function);
            p.number(SUFFIXES.length);
            for (int i = 0; i < SUFFIXES.length; i++) {
                byte[] suffix = SUFFIXES[i];
                if (suffix == null) {
                    p.bulk(shard[i - 7]); // 8 and 9: the index shard's keys
                } else {
                    p.bulk(prefix, suffix);
                }
            }
            p.bulk(prefix, 4, HEX);
            args.accept(p);
        }

        byte[] encoded() {
            if (encoded == null) {
                encoded = Resp.command(this::parts);
            }
            return encoded;
        }

        /** The keys, then the arguments, each as an array of its own (for the Cluster client). */
        List<byte[]> keys() {
            return listed().subList(3, 3 + SUFFIXES.length);
        }

        List<byte[]> args() {
            List<byte[]> all = listed();
            return all.subList(3 + SUFFIXES.length, all.size());
        }

        private List<byte[]> listed() {
            if (listed != null) {
                return listed;
            }
            List<byte[]> all = new ArrayList<>();
            parts(new Resp.Parts() {
                @Override
                public void bulk(byte[] b, int off, int len) {
                    all.add(Arrays.copyOfRange(b, off, off + len));
                }

                @Override
                public void bulk(byte[] a, byte[] b) {
                    byte[] both = Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, both, a.length, b.length);
                    all.add(both);
                }

                @Override
                public void number(long n) {
                    all.add(RedisPeerStore.number(n));
                }
            });
            listed = all;
            return all;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] number(long n) {
        return n == 0 ? ZERO : bytes(Long.toString(n));
    }

    /** Address bytes then port, big-endian: byte order is address order. */
    static byte[] member(IpAddress ip, int port) {
        byte[] m = new byte[ip.family().addressLength() + 2];
        int off = ip.writeTo(m, 0);
        m[off] = (byte) (port >>> 8);
        m[off + 1] = (byte) port;
        return m;
    }

    private long nowSeconds() {
        return Math.floorDiv(clock.millis(), 1000L);
    }

    // ---- the store -------------------------------------------------------------------------------------------

    @Override
    public AnnounceResult announce(InfoHash infoHash, Peer peer, Event event, boolean seeder, int numWant,
                                   PeerPreference preference, PeerSink sink) {
        byte[] me = member(peer.ip(), peer.port());
        List<?> reply = (List<?>) fcall(announceCall(infoHash, me, peer, event, seeder, numWant, preference));
        return announced(reply, me, peer.ip().family(), numWant, preference, sink);
    }

    /**
     * The FCALL goes to the pipeline of the server (on a Cluster: the master) that serves the swarm and this
     * returns at once; the reply is read, the peers given to the sink and the future completed on the
     * pipeline's reader thread. A Cluster master that refuses it (MOVED/ASK: not run) has it sent again through the Cluster
     * client, which blocks, on a virtual thread (Jedis' own timeouts apply), as does a slot the client's map
     * does not know yet.
     */
    @Override
    public CompletableFuture<AnnounceResult> announceAsync(InfoHash infoHash, Peer peer, Event event,
                                                           boolean seeder, int numWant, PeerPreference preference,
                                                           PeerSink sink) {
        byte[] me = member(peer.ip(), peer.port());
        SwarmCall c = announceCall(infoHash, me, peer, event, seeder, numWant, preference);
        PipelinedCalls calls = pipelineFor(c);
        long deadline = System.nanoTime() + config.timeout().toNanos();
        // the reply only: the peers go to the sink below, never from a step that may outlive the deadline
        CompletableFuture<Object> replied = calls == null
                ? throughClient(c, deadline) // only a Cluster's map can lack a slot
                : calls.submit(c.encoded(), deadline).exceptionallyCompose(e -> {
                    Throwable cause = unwrap(e);
                    if (resendThroughClient(cause)) {
                        // refused, not run: through the client, which follows it and renews its map
                        return throughClient(c, deadline);
                    }
                    lostConnection(cause);
                    if (!Library.missing(cause)) {
                        return CompletableFuture.failedFuture(e);
                    }
                    // off the reader thread: loading takes a connection of its own and a round trip; the call
                    // sent again keeps its deadline
                    return byDeadline(CompletableFuture.runAsync(() -> loadInto(c), VIRTUAL), deadline)
                            .thenCompose(loaded -> calls.submit(c.encoded(), deadline));
                });
        return replied.handle((reply, e) -> {
            if (e != null) {
                Throwable cause = unwrap(e);
                throw cause instanceof RuntimeException r
                        ? new StoreUnavailableException(failed(r), r)
                        : new StoreUnavailableException(failed(new IllegalStateException(cause)), cause);
            }
            contact();
            return announced((List<?>) reply, me, peer.ip().family(), numWant, preference, sink);
        });
    }

    /** The call through the Cluster client (blocking) on a virtual thread, failed at the deadline. */
    private CompletableFuture<Object> throughClient(SwarmCall c, long deadline) {
        return byDeadline(CompletableFuture.supplyAsync(
                () -> loadingOnce(() -> viaClient(c, deadline), c, deadline), VIRTUAL), deadline);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /**
     * {@code f}, failed at the deadline when not done by then. The store's timeout bounds a call whichever way
     * it goes: the Cluster client's attempts (after a refusal, or for a slot its map lacks) and the loading of
     * the library each wait a socket timeout of their own, and an attempt begun shortly before the deadline
     * would otherwise hold its announce up to a timeout past it. The work itself ends by those timeouts.
     */
    private <T> CompletableFuture<T> byDeadline(CompletableFuture<T> f, long deadline) {
        return f.orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                        unwrap(e) instanceof TimeoutException ? late() : e));
    }

    /** {@link #byDeadline(CompletableFuture, long)} for a blocking step: run on a virtual thread, waited for. */
    private <T> T byDeadline(Supplier<T> step, long deadline) {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(step, VIRTUAL);
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw late();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JedisConnectionException("interrupted while waiting for Redis", e);
        }
    }

    private JedisConnectionException late() {
        return new JedisConnectionException("no reply within " + config.timeout().toMillis() + " ms");
    }

    /**
     * sg_announce's call (announce.lua's arguments after the hex): the clock, the random seed and the arrays
     * made once, so that the description hands the same parts each time it runs and makes nothing itself.
     */
    private SwarmCall announceCall(InfoHash infoHash, byte[] me, Peer peer, Event event, boolean seeder,
                                   int numWant, PeerPreference preference) {
        long now = nowSeconds();
        long seed = ThreadLocalRandom.current().nextLong(1L << 31);
        byte[] id = peer.id().bytes();
        byte[][] tiers = tierArgs(peer.ip(), preference);
        return new SwarmCall(announce, infoHash.hex(), p -> {
            p.number(now - lifetimeSeconds);
            p.number(now);
            p.bulk(event == Event.STOPPED ? EVENT_STOPPED : event == Event.COMPLETED ? EVENT_COMPLETED : EVENT_NONE);
            p.bulk(seeder ? ONE : ZERO);
            p.bulk(me);
            p.bulk(id);
            p.number(Math.max(0, numWant));
            p.number(seed);
            p.number(preference.rackQuorum());
            p.number(preference.bridgePeers());
            p.number(preference.seededRackBridges());
            for (byte[] tier : tiers) {
                p.bulk(tier);
            }
        });
    }

    /**
     * Per locality tier, nearest first, two arguments: the first and last member of the announcer's network, or
     * for a group tier an empty string (never a member, which is 6 or 18 bytes) and the group's key.
     */
    private static byte[][] tierArgs(IpAddress ip, PeerPreference preference) {
        byte[][] tiers = new byte[2 * (preference.prefixes().size() + preference.groups().size())][];
        int t = 0;
        for (int prefix : preference.prefixes()) {
            int bits = Math.clamp(prefix, 0, ip.bits());
            tiers[t++] = member(ip.network(bits), 0);
            tiers[t++] = member(ip.lastInNetwork(bits), 0xffff);
        }
        for (String group : preference.groups()) {
            tiers[t++] = NO_BYTES;
            tiers[t++] = group.getBytes(StandardCharsets.UTF_8);
        }
        return tiers;
    }

    /**
     * sg_announce's reply: the counts, the per-tier split, and the peers, which go to the sink (all but the
     * announcer's own entry, {@code me}, which a run of a packed list may hold).
     */
    private static AnnounceResult announced(List<?> reply, byte[] me, AddressFamily family, int numWant,
                                            PeerPreference preference, PeerSink sink) {
        if (reply.size() == 2) {
            return new AnnounceResult(intAt(reply, 0), intAt(reply, 1), 0); // a stop
        }
        int slots = intAt(reply, 2);
        int[] byTier = null;
        if (!preference.isNone() && numWant > 0) {
            byTier = new int[slots];
            for (int k = 0; k < slots; k++) {
                byTier[k] = intAt(reply, 3 + k);
            }
        }
        int written = 0;
        for (int i = 3 + slots; i < reply.size(); i++) {
            written += emit((byte[]) reply.get(i), me, family, sink);
        }
        return new AnnounceResult(intAt(reply, 0), intAt(reply, 1), written, byTier);
    }

    /**
     * Hands out the peers of one string of announce.lua's reply: per peer its member (address and port, the
     * announcer's family) and its 20-byte peer_id; an entry of the announcer's member ({@code me}) is skipped.
     * Returns how many went to the sink.
     */
    private static int emit(byte[] packed, byte[] me, AddressFamily family, PeerSink sink) {
        int address = family.addressLength();
        int entry = address + 2 + 20;
        int n = 0;
        for (int off = 0; off + entry <= packed.length; off += entry) {
            // the port's low byte first: it tells most peers from the announcer without a call
            if (packed[off + address + 1] == me[address + 1]
                    && Arrays.equals(packed, off, off + me.length, me, 0, me.length)) {
                continue;
            }
            IpAddress ip = IpAddress.of(packed, off, address);
            int port = (packed[off + address] & 0xff) << 8 | (packed[off + address + 1] & 0xff);
            PeerId id = PeerId.of(packed, off + address + 2);
            sink.peer(family, ip.hi(), ip.lo(), port, id.a(), id.b(), id.c());
            n++;
        }
        return n;
    }

    private static int intAt(List<?> reply, int i) {
        return (int) (long) (Long) reply.get(i);
    }

    @Override
    public SwarmStats stats(InfoHash infoHash) {
        return swarmStats(fcall(statsCall(infoHash)));
    }

    /**
     * A scrape's counts: the calls for all its swarms go out together, per server (on a Cluster per master, by
     * the client's map of slots), and all wait for one deadline, so a scrape of n info_hashes costs about one
     * round trip per server instead of n, and at most the timeout in all. A call a server did not run as sent
     * (no library there, a Cluster's refusal) or for a slot the map lacks goes the single call's way, within the
     * same deadline.
     */
    @Override
    public List<SwarmStats> stats(List<InfoHash> infoHashes) {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        return call(() -> {
            int n = infoHashes.size();
            SwarmCall[] calls = new SwarmCall[n];
            Map<PipelinedCalls, List<Integer>> byServer = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                calls[i] = statsCall(infoHashes.get(i));
                PipelinedCalls server = pipelineFor(calls[i]);
                if (server != null) {
                    byServer.computeIfAbsent(server, k -> new ArrayList<>()).add(i);
                }
            }
            Object[] replies = new Object[n];
            boolean[] refused = new boolean[n];
            byServer.forEach((server, indexes) -> {
                List<byte[]> commands = new ArrayList<>(indexes.size());
                for (int i : indexes) {
                    commands.add(calls[i].encoded());
                }
                List<CompletableFuture<Object>> done = server.callAll(commands, deadline);
                for (int j = 0; j < indexes.size(); j++) {
                    CompletableFuture<Object> reply = done.get(j);
                    if (reply.state() == CompletableFuture.State.SUCCESS) {
                        replies[indexes.get(j)] = reply.resultNow();
                        continue;
                    }
                    Throwable e = unwrap(reply.exceptionNow());
                    refused[indexes.get(j)] = resendThroughClient(e);
                    if (!Library.missing(e) && !refused[indexes.get(j)]) {
                        lostConnection(e);
                        throw e instanceof RuntimeException r ? r : new JedisConnectionException(e);
                    }
                    // left for below: loaded and sent again, or (refused) straight through the client
                }
            });
            List<SwarmStats> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                SwarmCall c = calls[i];
                Supplier<Object> again = refused[i] ? () -> viaClientBy(c, deadline) : () -> fcallOnce(c, deadline);
                out.add(swarmStats(replies[i] != null ? replies[i] : loadingOnce(again, c, deadline)));
            }
            return out;
        });
    }

    private SwarmCall statsCall(InfoHash infoHash) {
        return new SwarmCall(stats, infoHash.hex(), p -> p.bulk(ZERO));
    }

    private static SwarmStats swarmStats(Object reply) {
        List<?> r = (List<?>) reply;
        return new SwarmStats(intAt(r, 0), intAt(r, 1), (Long) r.get(2));
    }

    @Override
    public Optional<SwarmDetail> detail(InfoHash infoHash, int ipv4Prefix, int ipv6Prefix, int maxGroups) {
        String hex = infoHash.hex();
        List<?> reply = (List<?>) fcall(new SwarmCall(swarm, hex, p -> {
            p.bulk(ZERO);
            p.number(Math.clamp(ipv4Prefix, 0, 32));
            p.number(Math.clamp(ipv6Prefix, 0, 128));
            p.number(Math.max(0, maxGroups));
        }));
        if (reply.isEmpty()) {
            return Optional.empty();
        }
        List<SwarmDetail.Group> groups = new ArrayList<>();
        for (int i = 10; i + 2 < reply.size(); i += 3) {
            byte[] m = (byte[]) reply.get(i);
            int prefix = m.length == 6 ? Math.clamp(ipv4Prefix, 0, 32) : Math.clamp(ipv6Prefix, 0, 128);
            groups.add(new SwarmDetail.Group(IpAddress.of(m, 0, m.length - 2), prefix, intAt(reply, i + 1),
                    intAt(reply, i + 2)));
        }
        long first = (Long) reply.get(3);
        SwarmDetail.Timeline timeline = new SwarmDetail.Timeline(Instant.ofEpochSecond(Math.max(0, first)),
                (Long) reply.get(4), (Long) reply.get(5), mark(reply, 6), mark(reply, 7), mark(reply, 8));
        return Optional.of(new SwarmDetail(intAt(reply, 0), intAt(reply, 1), (Long) reply.get(2), groups,
                intAt(reply, 9) == 1, timeline));
    }

    private static Optional<Instant> mark(List<?> reply, int i) {
        long seconds = (Long) reply.get(i);
        return seconds < 0 ? Optional.empty() : Optional.of(Instant.ofEpochSecond(seconds));
    }

    @Override
    public int collectGarbage() {
        long cutoff = nowSeconds() - lifetimeSeconds;
        List<String> candidates = call(() -> {
            if (cluster == null) {
                return redis.zrangeByScore(indexKey(shardTags[0]), "-inf", "(" + cutoff, 0, SWEEP_SWARMS);
            }
            List<String> due = new ArrayList<>();
            for (Object reply : onEveryNode("due", Long.toString(cutoff), Integer.toString(SWEEP_SWARMS))) {
                for (Object hex : (List<?>) reply) {
                    due.add(new String((byte[]) hex, StandardCharsets.US_ASCII));
                }
            }
            return due;
        });
        int removed = 0;
        for (String hex : candidates) {
            SwarmCall c = new SwarmCall(sweep, hex, p -> {
                p.number(cutoff);
                p.number(SWEEP_PEERS);
            });
            int n;
            do {
                n = intAt((List<?>) fcall(c), 0);
                removed += n;
            } while (n == SWEEP_PEERS);
        }
        return removed;
    }

    @Override
    public StoreTotals totals() {
        return call(() -> {
            long[] sum = new long[5];
            if (cluster == null) {
                List<String> values = redis.hmget(totalsKey(shardTags[0]), "swarms", "s4", "l4", "s6", "l6");
                for (int i = 0; i < 5; i++) {
                    sum[i] = values.get(i) == null ? 0 : Long.parseLong(values.get(i));
                }
            } else {
                for (Object reply : onEveryNode("totals")) {
                    List<?> values = (List<?>) reply;
                    for (int i = 0; i < 5; i++) {
                        sum[i] += (Long) values.get(i);
                    }
                }
            }
            return new StoreTotals(sum[0], sum[1], sum[2], sum[3], sum[4]);
        });
    }

    /**
     * Runs shards.lua once per Cluster master over the index shards of the slots it serves (from CLUSTER SLOTS):
     * three calls on three masters rather than one per slot. A topology change in between fails this call
     * (the script refuses keys the node does not serve); the next one asks again.
     */
    private List<Object> onEveryNode(String mode, String... args) {
        Map<String, ConnectionPool> pools = cluster.getClusterNodes();
        List<?> slots;
        try (Connection c = pools.values().iterator().next().getResource()) {
            slots = (List<?>) c.executeCommand(new CommandArguments(Protocol.Command.CLUSTER).add("SLOTS"));
        }
        Map<String, List<String>> tagsByNode = new java.util.LinkedHashMap<>();
        for (Object range : slots) {
            List<?> r = (List<?>) range;
            List<?> master = (List<?>) r.get(2);
            String node = new String((byte[]) master.get(0), StandardCharsets.US_ASCII) + ":" + master.get(1);
            List<String> tags = tagsByNode.computeIfAbsent(node, k -> new ArrayList<>());
            for (long slot = (Long) r.get(0); slot <= (Long) r.get(1); slot++) {
                tags.add(shardTags[(int) slot]);
            }
        }
        List<Object> replies = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : tagsByNode.entrySet()) {
            ConnectionPool pool = pools.get(e.getKey());
            if (pool == null) {
                throw new IllegalStateException("no connection to Cluster node " + e.getKey());
            }
            CommandArguments eval = new CommandArguments(Protocol.Command.EVAL).add(shards).add(0).add(mode);
            for (int i = 0; i < 2; i++) {
                eval.add(i < args.length ? args[i] : "");
            }
            for (String tag : e.getValue()) {
                eval.add(tag);
            }
            try (Connection c = pool.getResource()) {
                replies.add(c.executeCommand(eval));
            }
        }
        return replies;
    }

    private String mastersNotReadyReason() {
        long now = System.nanoTime();
        if (now - lastProbe > PROBE_NANOS) {
            lastProbe = now;
            List<String> down = new ArrayList<>();
            for (Map.Entry<String, ConnectionPool> e : masters.primaries().entrySet()) {
                try (Connection c = e.getValue().getResource()) {
                    Object info = c.executeCommand(new CommandArguments(Protocol.Command.CLUSTER).add("INFO"));
                    if (!new String((byte[]) info, StandardCharsets.US_ASCII).contains("cluster_state:ok")) {
                        down.add(e.getKey() + " (cluster_state is not ok)");
                    }
                } catch (RuntimeException ex) {
                    down.add(e.getKey() + " (" + message(ex) + ")");
                }
            }
            probeFailure = down.isEmpty() ? "" : "Cluster master " + String.join(", ", down) + " does not serve";
        }
        return unavailable(probeFailure);
    }

    /** Readiness' reason for a failure ("" when none). */
    private String unavailable(String failure) {
        return failure.isEmpty() ? "" : name + " unavailable: " + failure;
    }

    private static String message(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Redis is a network hop away: callers should not block a thread that serves many clients on it. */
    @Override
    public int maxInFlight() {
        return config.poolSize();
    }

    /**
     * Not ready while the last contact failed, re-checked with a PING to every node at most once a second; also
     * checked when nothing has talked to Redis for a second, so an idle instance notices an outage too. On a
     * Cluster, where calls to the other masters succeed while one is down, the answer does not follow the last
     * call: not ready while any master does not answer, or answers that the Cluster is not serving (CLUSTER
     * INFO's {@code cluster_state} not {@code ok}: a master that just restarted, a Cluster that lost a master
     * without a replica), probed at most once a second.
     */
    @Override
    public String notReadyReason() {
        if (masters != null) {
            return mastersNotReadyReason();
        }
        if (System.nanoTime() - lastContact > PROBE_NANOS) {
            try {
                for (Pool<Connection> pool : pools()) {
                    try (Connection c = pool.getResource()) {
                        c.ping();
                    }
                }
                contact();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
        return unavailable(failure);
    }

    @Override
    public void close() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (masters != null) {
            masters.close();
        }
        redis.close();
    }

    // ---- calls -----------------------------------------------------------------------------------------------

    /**
     * FCALL, loading the library into the server that serves the swarm once when it does not know the function
     * (restarted, flushed, failed over to a node that had none, a new Cluster master after resharding).
     */
    private Object fcall(SwarmCall c) {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        return call(() -> loadingOnce(() -> fcallOnce(c, deadline), c, deadline));
    }

    /**
     * Runs an FCALL, and once more after loading the library when the server answered that it has none, all
     * within the call's deadline.
     */
    private Object loadingOnce(Supplier<Object> fcall, SwarmCall c, long deadline) {
        try {
            return fcall.get();
        } catch (JedisDataException e) {
            if (!Library.missing(e)) {
                throw e;
            }
            byDeadline(() -> {
                loadInto(c);
                return c;
            }, deadline);
            return fcall.get();
        }
    }

    /** Loads the library into the server that serves the swarm of {@code call}. */
    private void loadInto(SwarmCall call) {
        try (Connection c = cluster == null ? single.getPool().getResource()
                : cluster.getConnectionFromSlot(call.slot)) {
            library.loadInto(c);
        }
    }

    /**
     * Through the pipeline of the server that serves the swarm; on a Cluster, a call its master refused
     * (MOVED/ASK/TRYAGAIN: not run), or one for a slot the client's map does not know yet, goes through the
     * client, which follows redirections ({@link #viaClient}). Fails at the deadline, whatever path it took.
     */
    private Object fcallOnce(SwarmCall c, long deadline) {
        PipelinedCalls calls = pipelineFor(c);
        if (calls == null) {
            return viaClientBy(c, deadline); // only a Cluster's map can lack a slot
        }
        try {
            return calls.call(c.encoded(), deadline);
        } catch (JedisDataException e) {
            if (!resendThroughClient(e)) {
                throw e;
            }
            return viaClientBy(c, deadline);
        } catch (JedisConnectionException e) {
            lostConnection(e);
            throw e;
        }
    }

    /** {@link #viaClient}, failed at the deadline (the client's own attempts each wait a socket timeout). */
    private Object viaClientBy(SwarmCall c, long deadline) {
        return byDeadline(() -> viaClient(c, deadline), deadline);
    }

    /**
     * A Cluster call through the client, which follows MOVED and ASK. While the swarm's slot migrates between
     * masters, Redis refuses a call naming several keys of which some are not there (as most of a swarm's
     * twelve are not: no IPv6 peers, no groups...) with TRYAGAIN, without running it; the call is then sent
     * again every {@link #TRYAGAIN_PAUSE_NANOS} until the deadline (the call's timeout), so an announce during a
     * resharding waits for its slot to finish moving instead of failing ({@link #refused}).
     */
    private Object viaClient(SwarmCall c, long deadline) {
        List<byte[]> keys = c.keys();
        List<byte[]> args = c.args();
        while (true) {
            try {
                return cluster.fcall(c.function, keys, args);
            } catch (JedisDataException | JedisClusterOperationException e) {
                if (!refused(e) || deadline - System.nanoTime() < TRYAGAIN_PAUSE_NANOS) {
                    throw e;
                }
                LockSupport.parkNanos(TRYAGAIN_PAUSE_NANOS);
            }
        }
    }

    /**
     * Whether the Cluster refused the call without running it: TRYAGAIN, or the client giving up after
     * attempts that were all refusals (MOVED, ASK, TRYAGAIN), as when the masters disagree for a moment about
     * who serves a slot that just moved. A failure in which a call may have run (a lost connection) is not.
     */
    private static boolean refused(RuntimeException e) {
        if (tryAgain(e)) {
            return true;
        }
        Throwable[] attempts = e.getSuppressed();
        if (!(e instanceof JedisClusterOperationException) || attempts.length == 0) {
            return false;
        }
        for (Throwable a : attempts) {
            if (!(a instanceof JedisRedirectionException || tryAgain(a))) {
                return false;
            }
        }
        return true;
    }

    /** A pipelined call a Cluster master refused without running it (MOVED, ASK, TRYAGAIN): for the client. */
    private boolean resendThroughClient(Throwable e) {
        return cluster != null && (e instanceof JedisRedirectionException || tryAgain(e));
    }

    private static boolean tryAgain(Throwable e) {
        return e instanceof JedisDataException && String.valueOf(e.getMessage()).startsWith("TRYAGAIN");
    }

    /** The pipeline for the swarm of {@code c}: the single server's, or its Cluster master's (null: unknown). */
    private PipelinedCalls pipelineFor(SwarmCall c) {
        return masters == null ? pipeline : masters.forSlot(c.slot);
    }

    /** A Cluster call that lost its connection: the master may be gone, so the map of slots is renewed. */
    private void lostConnection(Throwable e) {
        if (masters != null && e instanceof JedisConnectionException) {
            masters.renewSoon();
        }
    }

    private <T> T call(Supplier<T> op) {
        T result;
        try {
            result = op.get();
        } catch (RuntimeException e) {
            // a Jedis exception (unreachable, timeout, pool exhausted, CLUSTERDOWN, LOADING...), nothing applied
            throw new StoreUnavailableException(failed(e), e);
        }
        contact();
        return result;
    }

    private void contact() {
        lastContact = System.nanoTime();
        if (!failure.isEmpty()) {
            failure = "";
            LOG.log(Level.INFO, name + " answers again");
        }
    }

    private String failed(RuntimeException e) {
        String message = message(e);
        if (failure.isEmpty()) {
            LOG.log(Level.WARNING, name + " failed; answering 'storage unavailable' until it is back: " + e);
        }
        failure = message;
        lastContact = System.nanoTime();
        // connections that saw the failure may be dead (a restarted server): let the pool make new ones
        try {
            for (Pool<Connection> pool : pools()) {
                pool.clear();
            }
        } catch (RuntimeException ignored) {
            // a Cluster without a known node: nothing to clear
        }
        return name + ": " + message;
    }

    /**
     * The Redis function library (Redis 7 FUNCTION LOAD, then FCALL by name): common.lua, then every part, behind a
     * first line naming the library {@code swarmgate_<version>} and setting {@code VERSION}, a hash of the parts.
     * A library's helpers are defined once when it is loaded, where a script (EVALSHA) defined its ~35 local
     * functions again on every call. The version in the library's and the functions' names lets instances of two
     * releases share a Redis during an upgrade, each calling its own code, as script SHAs did.
     */
    record Library(byte[] source, String version) {
        /** The error FCALL answers for a function the server does not have. */
        static final String MISSING = "ERR Function not found";
        private static final List<String> PARTS = List.of("common.lua", "timeline.lua", "announce.lua",
                "stats.lua", "sweep.lua", "swarm.lua");

        /** Whether {@code e} is the error reply for a function the server does not have (then load and retry). */
        static boolean missing(Throwable e) {
            return e instanceof JedisDataException data && String.valueOf(data.getMessage()).startsWith(MISSING);
        }

        static Library load() {
            StringBuilder parts = new StringBuilder();
            for (String part : PARTS) {
                parts.append(resource(part)).append('\n');
            }
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(parts.toString().getBytes(StandardCharsets.UTF_8));
                String version = HexFormat.of().formatHex(digest, 0, 6);
                String header = "#!lua name=swarmgate_" + version + "\nlocal VERSION = '" + version + "'\n";
                return new Library((header + parts).getBytes(StandardCharsets.UTF_8), version);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A function's name in this version, e.g. {@code sg_announce_0123456789ab}. */
        byte[] function(String name) {
            return bytes(name + "_" + version);
        }

        /** FUNCTION LOAD REPLACE: replacing is idempotent (the same version is the same code) and races no one. */
        void loadInto(Connection c) {
            c.executeCommand(new CommandArguments(Protocol.Command.FUNCTION).add("LOAD").add("REPLACE").add(source));
        }

        static String resource(String name) {
            try (InputStream in = RedisPeerStore.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing script " + name);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
