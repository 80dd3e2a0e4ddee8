package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;

/** A tracker-to-client packet. */
public sealed interface UdpResponse permits UdpConnectResponse, UdpAnnounceResponse, UdpScrapeResponse,
        UdpErrorResponse {

    /** The transaction id of the request this answers. */
    int transactionId();

    Action action();
}
