package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;

/** The tracker's answer to a connect: the connection id the client must put in its next requests. */
public record UdpConnectResponse(int transactionId, long connectionId) implements UdpResponse {
    @Override
    public Action action() {
        return Action.CONNECT;
    }
}
