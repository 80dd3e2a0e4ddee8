package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;
import java.util.Objects;

/** Action 3: the request failed; the rest of the packet is a human-readable message (UTF-8). */
public record UdpErrorResponse(int transactionId, String message) implements UdpResponse {
    public UdpErrorResponse {
        Objects.requireNonNull(message, "message");
    }

    @Override
    public Action action() {
        return Action.ERROR;
    }
}
