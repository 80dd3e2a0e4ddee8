package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;

/**
 * The first packet of a BEP 15 exchange: 16 bytes, the magic {@link UdpRequests#PROTOCOL_ID} in place of a
 * connection id, action 0, transaction id.
 */
public record UdpConnectRequest(int transactionId) implements UdpRequest {
    @Override
    public Action action() {
        return Action.CONNECT;
    }
}
