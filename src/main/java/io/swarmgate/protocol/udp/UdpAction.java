package io.swarmgate.protocol.udp;

import java.util.Locale;

/**
 * The 32-bit {@code action} field every BEP 15 packet carries: the one enum for what a packet is, used by the
 * codec, the UDP frontend and the request metrics (whose {@code action} label is {@link #label()}).
 */
public enum UdpAction {
    CONNECT(0),
    ANNOUNCE(1),
    SCRAPE(2),
    /** Only in responses: the request failed and the rest of the packet is a message. */
    ERROR(3);

    private static final UdpAction[] BY_CODE = values();

    private final int code;
    private final String label;

    UdpAction(int code) {
        this.code = code;
        this.label = name().toLowerCase(Locale.ROOT);
    }

    public int code() {
        return code;
    }

    /** Lower case, as BEP 15's text names the action; the metrics label. */
    public String label() {
        return label;
    }

    /** A client may send it: connect, announce or scrape; {@link #ERROR} only ever comes from a tracker. */
    public boolean isRequest() {
        return this != ERROR;
    }

    /** The action for a wire code, or null for a code BEP 15 does not define. */
    public static UdpAction fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
