/**
 * The in-memory {@link io.swarmgate.storage.PeerStore}: swarms sharded by info_hash under per-shard
 * {@link java.util.concurrent.locks.ReentrantLock}s, peers packed into sorted {@code long[]} lists per address
 * family and seeder/leecher (about 32 bytes per IPv4 peer, 48 per IPv6, no object per peer), locality tiers as
 * index ranges of those lists, and expiry driven by an injected clock.
 */
package io.swarmgate.storage.memory;
