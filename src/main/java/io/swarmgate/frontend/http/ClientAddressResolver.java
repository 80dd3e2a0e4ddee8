package io.swarmgate.frontend.http;

import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.config.Cidr;

import java.util.List;

/**
 * Decides which address an HTTP client has. The connection's address, unless the connection comes from a
 * trusted proxy and the configured header is present: then, for a comma list such as X-Forwarded-For, the
 * right-most address that is not itself a trusted proxy (the left part of the list is whatever the client
 * claimed and cannot be believed). Entries that do not parse as IP addresses end the walk; the last good
 * address found is used.
 */
final class ClientAddressResolver {
    private final String header;
    private final List<Cidr> trustedProxies;

    ClientAddressResolver(String header, List<Cidr> trustedProxies) {
        this.header = header;
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    boolean usesHeader() {
        return !header.isEmpty();
    }

    String header() {
        return header;
    }

    /**
     * @param connection the TCP peer's address (already normalised: IPv4-mapped becomes IPv4)
     * @param headerValue the header's value, or null when absent
     */
    IpAddress resolve(IpAddress connection, String headerValue) {
        if (header.isEmpty() || headerValue == null || !isTrusted(connection)) {
            return connection;
        }
        IpAddress chosen = connection;
        int end = headerValue.length();
        while (end > 0) {
            int comma = headerValue.lastIndexOf(',', end - 1);
            String part = headerValue.substring(comma + 1, end).strip();
            end = comma < 0 ? 0 : comma;
            if (part.isEmpty()) {
                continue;
            }
            IpAddress ip;
            try {
                ip = IpAddress.parse(stripPort(part));
            } catch (IllegalArgumentException e) {
                return chosen;
            }
            chosen = ip;
            if (!isTrusted(ip)) {
                return ip;
            }
        }
        return chosen;
    }

    /** X-Forwarded-For entries are bare addresses, but some proxies append a port: 1.2.3.4:5678, [::1]:80. */
    private static String stripPort(String s) {
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            return close > 0 ? s.substring(1, close) : s;
        }
        int colon = s.indexOf(':');
        if (colon > 0 && s.indexOf(':', colon + 1) < 0) {
            return s.substring(0, colon);
        }
        return s;
    }

    private boolean isTrusted(IpAddress ip) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(ip)) {
                return true;
            }
        }
        return false;
    }
}
