package io.swarmgate.frontend.udp;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.storage.MutableClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionIdsTest {
    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    private static final Duration SKEW = Duration.ofSeconds(10);
    private static final IpAddress CLIENT = IpAddress.parse("198.51.100.7");
    private static final Instant START = Instant.parse("2025-06-01T12:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final ConnectionIds ids = new ConnectionIds(SECRET, SKEW, clock);

    @Test
    void anIdIsValidForTwoMinutesPlusTheClockSkew() {
        long id = ids.issue(CLIENT);
        assertTrue(ids.isValid(id, CLIENT));
        clock.advance(Duration.ofSeconds(120));
        assertTrue(ids.isValid(id, CLIENT), "BEP 15: trackers accept an id for two minutes");
        clock.advance(SKEW);
        assertTrue(ids.isValid(id, CLIENT));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(ids.isValid(id, CLIENT));
    }

    @Test
    void anIdIsBoundToTheAddressNotThePort() {
        long id = ids.issue(CLIENT);
        // libtorrent shares one id per tracker across all its sockets; NATs may change the port
        assertTrue(ids.isValid(id, CLIENT));
        assertFalse(ids.isValid(id, IpAddress.parse("198.51.100.8")));
        // same low 32 bits, other family
        assertFalse(ids.isValid(id, new IpAddress(AddressFamily.IPV6, 0, CLIENT.lo())));
        IpAddress v6 = IpAddress.parse("2001:db8::7");
        long id6 = ids.issue(v6);
        assertTrue(ids.isValid(id6, v6));
        assertFalse(ids.isValid(id6, IpAddress.parse("2001:db8::8")));
    }

    @Test
    void anyInstanceWithTheSameSecretAcceptsTheId() {
        long id = ids.issue(CLIENT);
        assertTrue(new ConnectionIds(SECRET, SKEW, clock).isValid(id, CLIENT));
        byte[] other = "a different secret of some length".getBytes(StandardCharsets.UTF_8);
        assertFalse(new ConnectionIds(other, SKEW, clock).isValid(id, CLIENT));
    }

    @Test
    void anInstanceWhoseClockRunsAheadWithinTheSkewIsTrusted() {
        MutableClock ahead = new MutableClock(START.plus(SKEW));
        long id = new ConnectionIds(SECRET, SKEW, ahead).issue(CLIENT);
        assertTrue(ids.isValid(id, CLIENT));

        MutableClock tooFarAhead = new MutableClock(START.plus(SKEW).plusSeconds(1));
        long future = new ConnectionIds(SECRET, SKEW, tooFarAhead).issue(CLIENT);
        assertFalse(ids.isValid(future, CLIENT));
    }

    @Test
    void idsIssuedJustBeforeTheSixteenBitSecondsWrapStayValid() {
        long second = START.getEpochSecond();
        long beforeWrap = (second | 0xffff) - 5; // low 16 bits 0xfffa
        MutableClock c = new MutableClock(Instant.ofEpochSecond(beforeWrap));
        ConnectionIds wrapping = new ConnectionIds(SECRET, SKEW, c);
        long id = wrapping.issue(CLIENT);
        c.advance(Duration.ofSeconds(60)); // now past the wrap
        assertTrue(wrapping.isValid(id, CLIENT));
        c.advance(Duration.ofSeconds(71));
        assertFalse(wrapping.isValid(id, CLIENT));
    }

    @Test
    void randomIdsAreRejected() {
        SplittableRandom random = new SplittableRandom(15);
        for (int i = 0; i < 200_000; i++) {
            assertFalse(ids.isValid(random.nextLong(), CLIENT));
        }
    }

    @Test
    void idsHandedOutInTheSameSecondDifferPerClient() {
        assertNotEquals(ids.issue(CLIENT), ids.issue(IpAddress.parse("192.0.2.99")));
        assertEquals(ids.issue(CLIENT), ids.issue(CLIENT), "stateless: the same inputs give the same id");
    }

    @Test
    void shortSecretsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new ConnectionIds("short".getBytes(StandardCharsets.UTF_8), SKEW, clock));
    }
}
