/**
 * The approval prehooks: {@code client-approval} admits or refuses announces by the client id in the peer_id
 * (the Azureus-style {@code -XX1234-} prefix, or the first six bytes), and {@code torrent-approval} admits or
 * refuses announces and scrapes by info_hash, from a list in the configuration and/or a file that is re-read
 * when it changes. Each works as an allow list or a deny list, never both; a refusal is a
 * {@link io.swarmgate.bittorrent.ClientError} of kind {@code unapproved} and counts in
 * {@code swarmgate.approval.rejected}.
 */
package io.swarmgate.hook.approval;
