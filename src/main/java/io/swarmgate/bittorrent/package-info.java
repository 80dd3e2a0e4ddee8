/**
 * The BitTorrent vocabulary every other package speaks: ids, addresses, peers, announce and scrape requests and
 * responses, and {@link io.swarmgate.bittorrent.ClientError}. Pure values: no I/O, no Helidon, no logging.
 */
package io.swarmgate.bittorrent;
