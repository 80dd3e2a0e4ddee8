package io.swarmgate.protocol.udp;

import java.util.Objects;

/** Action 3: the request failed; the rest of the packet is a human-readable message (UTF-8). */
public record UdpErrorResponse(int transactionId, String message) implements UdpResponse {
    public UdpErrorResponse {
        Objects.requireNonNull(message, "message");
    }

    @Override
    public UdpAction action() {
        return UdpAction.ERROR;
    }
}
