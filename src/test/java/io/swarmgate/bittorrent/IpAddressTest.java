package io.swarmgate.bittorrent;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpAddressTest {

    @Test
    void ipv4MappedIpv6IsNormalisedToIpv4() throws Exception {
        IpAddress mapped = IpAddress.of(InetAddress.getByName("::ffff:10.1.2.3"));
        assertEquals(AddressFamily.IPV4, mapped.family());
        assertEquals(IpAddress.parse("10.1.2.3"), mapped);
        assertEquals("10.1.2.3", mapped.toString());
    }

    @Test
    void parsesLiteralsWithoutDnsAndRejectsNames() {
        assertEquals("2001:db8:0:0:0:0:0:1", IpAddress.parse("[2001:db8::1]").toString());
        assertEquals(AddressFamily.IPV6, IpAddress.parse("::1").family());
        for (String bad : new String[] {"localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "", "1..2.3", "abc::xyz"}) {
            assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(bad), bad);
        }
    }

    @Test
    void networksAndRangesFollowThePrefix() {
        IpAddress a = IpAddress.parse("127.1.2.77");
        assertEquals(IpAddress.parse("127.1.2.0"), a.network(24));
        assertEquals(IpAddress.parse("127.1.2.255"), a.lastInNetwork(24));
        assertEquals(IpAddress.parse("127.1.255.255"), a.lastInNetwork(16));
        assertTrue(a.sharesPrefix(IpAddress.parse("127.1.2.1"), 24));
        assertFalse(a.sharesPrefix(IpAddress.parse("127.1.3.1"), 24));
        IpAddress v6 = IpAddress.parse("2001:db8:1:2:3:4:5:6");
        assertEquals(IpAddress.parse("2001:db8:1:2::"), v6.network(64));
        assertEquals(IpAddress.parse("2001:db8:1:2:ffff:ffff:ffff:ffff"), v6.lastInNetwork(64));
        assertEquals(IpAddress.parse("2001:db8:1::"), v6.network(48));
        assertEquals(IpAddress.parse("2001:db8:1:2:3:4:5:0"), v6.network(112));
    }

    @Test
    void orderIsAddressOrderUnsigned() {
        assertTrue(IpAddress.parse("200.0.0.1").compareTo(IpAddress.parse("10.0.0.1")) > 0);
        assertTrue(IpAddress.parse("ff00::1").compareTo(IpAddress.parse("2001::1")) > 0);
    }

    @Test
    void infoHashRoundTripsBytesAndHex() {
        byte[] b = new byte[20];
        for (int i = 0; i < 20; i++) {
            b[i] = (byte) (i * 13 + 200);
        }
        InfoHash h = InfoHash.of(b);
        assertEquals(h, InfoHash.fromHex(h.hex()));
        assertEquals(h, InfoHash.of(h.bytes()));
        assertEquals(40, h.hex().length());
    }

    @Test
    void clientIdIsAzureusPrefixOrFirstSixBytes() {
        assertEquals("-qB4650-", PeerId.of("-qB4650-abcdefghijkl".getBytes()).clientId());
        assertEquals("M7-2-0", PeerId.of("M7-2-0--abcdefghijkl".getBytes()).clientId());
    }
}
