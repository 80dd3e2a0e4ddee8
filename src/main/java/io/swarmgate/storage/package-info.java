/**
 * The {@link io.swarmgate.storage.PeerStore} SPI: swarms of peers per info_hash and address family, counts,
 * locality-aware peer selection and expiry. Implementations live in subpackages and all pass the same contract
 * test suite.
 */
package io.swarmgate.storage;
