package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;

/** A client-to-tracker packet. Transaction and connection ids stay primitives: they are opaque numbers. */
public sealed interface UdpRequest permits UdpConnectRequest, UdpAnnounceRequest, UdpScrapeRequest {

    /** Chosen by the client; the tracker echoes it so the client can match the answer (BEP 15). */
    int transactionId();

    Action action();
}
