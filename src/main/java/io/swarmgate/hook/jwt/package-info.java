/**
 * The {@code jwt} prehook: a container registry signs a JWT per blob ({@code iss}, {@code aud},
 * {@code infohash}), puts it in the torrent's announce URL or an {@code Authorization} header, and publishes
 * its public keys as a JWK set; the tracker admits an announce only with such a token for that info_hash. The
 * key set is refreshed on the tracker's scheduler, re-fetched (rate-limited) when a token names an unknown
 * {@code kid}, and kept across failed refreshes for a bounded time; verified tokens are cached until their
 * {@code exp} or until their key is withdrawn, whichever comes first.
 */
package io.swarmgate.hook.jwt;
