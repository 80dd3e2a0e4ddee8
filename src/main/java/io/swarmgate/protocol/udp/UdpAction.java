package io.swarmgate.protocol.udp;

/** The 32-bit {@code action} field every BEP 15 packet carries. */
public enum UdpAction {
    CONNECT(0),
    ANNOUNCE(1),
    SCRAPE(2),
    /** Only in responses: the request failed and the rest of the packet is a message. */
    ERROR(3);

    private final int code;

    UdpAction(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The action for a wire code, or null for a code BEP 15 does not define. */
    public static UdpAction fromCode(int code) {
        return switch (code) {
            case 0 -> CONNECT;
            case 1 -> ANNOUNCE;
            case 2 -> SCRAPE;
            case 3 -> ERROR;
            default -> null;
        };
    }
}
