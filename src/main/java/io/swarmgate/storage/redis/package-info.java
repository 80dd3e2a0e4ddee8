/**
 * The Redis {@link io.swarmgate.storage.PeerStore} for several tracker instances sharing swarms: one Lua script
 * call per announce (loaded once, run by SHA), every key of a swarm under its info_hash's hash tag so Redis
 * Cluster works without cross-slot commands, totals and the expiry sweep from per-slot index shards rather than
 * keyspace scans.
 */
package io.swarmgate.storage.redis;
