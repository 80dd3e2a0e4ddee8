package io.swarmgate.config;

import io.swarmgate.bittorrent.IpAddress;

/** An address block such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a /32 or /128. */
public record Cidr(IpAddress network, int prefix) {

    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        IpAddress ip = IpAddress.parse(slash < 0 ? s : s.substring(0, slash));
        int prefix = ip.bits();
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'");
            }
            if (prefix < 0 || prefix > ip.bits()) {
                throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
            }
        }
        return new Cidr(ip.network(prefix), prefix);
    }

    public boolean contains(IpAddress ip) {
        return ip.family() == network.family() && ip.network(prefix).equals(network);
    }

    @Override
    public String toString() {
        return network + "/" + prefix;
    }
}
