package io.swarmgate.bittorrent;

import java.util.Locale;

/**
 * What a request asks for, numbered as the 32-bit {@code action} field every BEP 15 packet carries: the one enum
 * for it, used by the UDP codec, the UDP frontend and the request metrics of both frontends (whose {@code action}
 * label is {@link #label()}; an HTTP announce or scrape is the same action as its UDP twin). It lives here, not in
 * {@code protocol.udp}, because HTTP speaks of it too; {@link #CONNECT} and {@link #ERROR} exist only on UDP.
 */
public enum Action {
    CONNECT(0),
    ANNOUNCE(1),
    SCRAPE(2),
    /** Only in responses: the request failed and the rest of the packet is a message. */
    ERROR(3);

    private static final Action[] BY_CODE = values();

    private final int code;
    private final String label;

    Action(int code) {
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
    public static Action fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
