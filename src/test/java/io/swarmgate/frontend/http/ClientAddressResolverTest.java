package io.swarmgate.frontend.http;

import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.config.Cidr;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientAddressResolverTest {
    private final ClientAddressResolver resolver = new ClientAddressResolver("X-Forwarded-For",
            List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")));
    private static final IpAddress PROXY = IpAddress.parse("10.0.0.2");

    private IpAddress resolve(IpAddress connection, String header) {
        return resolver.resolve(connection, header);
    }

    @Test
    void headerIgnoredFromUntrustedConnections() {
        IpAddress direct = IpAddress.parse("198.51.100.9");
        assertEquals(direct, resolve(direct, "203.0.113.1"));
    }

    @Test
    void rightMostUntrustedEntryWinsSoClientsCannotSpoofTheLeftPart() {
        assertEquals(IpAddress.parse("203.0.113.5"), resolve(PROXY, "1.1.1.1, 203.0.113.5, 10.0.0.7"));
        assertEquals(IpAddress.parse("203.0.113.5"), resolve(PROXY, "203.0.113.5"));
        assertEquals(IpAddress.parse("2001:db8::5"), resolve(IpAddress.parse("::1"), "[2001:db8::5]:443"));
    }

    @Test
    void missingOrGarbageHeaderFallsBackSafely() {
        assertEquals(PROXY, resolve(PROXY, null));
        assertEquals(PROXY, resolve(PROXY, "unknown"));
        assertEquals(IpAddress.parse("10.0.0.7"), resolve(PROXY, "10.0.0.7"));
        assertEquals(IpAddress.parse("203.0.113.5"), resolve(PROXY, "garbage, 203.0.113.5"));
    }
}
