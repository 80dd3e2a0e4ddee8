package io.swarmgate.bittorrent;

/** IPv4 and IPv6 swarms are kept apart (BEP 7): a peer only learns peers it can reach over its own family. */
public enum AddressFamily {
    IPV4(4, "ipv4"),
    IPV6(16, "ipv6");

    private final int addressLength;
    private final String label;

    AddressFamily(int addressLength, String label) {
        this.addressLength = addressLength;
        this.label = label;
    }

    /** Address bytes on the wire: 4 or 16. */
    public int addressLength() {
        return addressLength;
    }

    /** Compact peer size on the wire: address plus a 2-byte port (BEP 23, BEP 7). */
    public int compactLength() {
        return addressLength + 2;
    }

    /** Bounded label for metrics and logs. */
    public String label() {
        return label;
    }
}
