package io.swarmgate.protocol.udp;

/** A tracker-to-client packet. */
public sealed interface UdpResponse permits UdpConnectResponse, UdpAnnounceResponse, UdpScrapeResponse,
        UdpErrorResponse {

    /** The transaction id of the request this answers. */
    int transactionId();

    UdpAction action();
}
