package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerId;
import org.junit.jupiter.api.Test;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class UdpCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
    private static final InfoHash HASH2 = InfoHash.fromHex("ffeeddccbbaa99887766554433221100ffeeddcc");
    private static final PeerId PEER_ID = PeerId.of("-SG0001-abcdefghijkl".getBytes(StandardCharsets.ISO_8859_1));

    // ------------------------------------------------------------------ round trips

    @Test
    void requestsRoundTrip() throws Exception {
        List<UdpRequest> requests = List.of(
                new UdpConnectRequest(0x7fff_0001),
                new UdpConnectRequest(-1),
                announce(""),
                announce("/announce?jwt=xyz&tier=1"),
                announce("/a?" + "x".repeat(700)), // three URLData options
                announce("/announce?name=Grüße"),
                new UdpAnnounceRequest(-5L, 0, HASH2, PEER_ID, Long.MAX_VALUE, 0, Long.MIN_VALUE, 3,
                        0x7f000001, -99, 0, 65535, ""),
                new UdpScrapeRequest(42L, 7, List.of(HASH)),
                new UdpScrapeRequest(42L, 8, List.of(HASH, HASH2, HASH)));
        for (UdpRequest request : requests) {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            UdpRequests.encode(buf, request);
            buf.flip();
            assertEquals(request, UdpRequests.decode(buf), () -> "round trip of " + request);
        }
    }

    @Test
    void responsesRoundTripForBothFamilies() throws Exception {
        List<CompactPeer> v4 = List.of(new CompactPeer(IpAddress.parse("10.0.0.1"), 6881),
                new CompactPeer(IpAddress.parse("192.168.255.254"), 65535));
        List<CompactPeer> v6 = List.of(new CompactPeer(IpAddress.parse("2001:db8::1"), 1),
                new CompactPeer(IpAddress.parse("fe80::1:2:3:4"), 51413));
        List<UdpResponse> v4Responses = List.of(
                new UdpConnectResponse(9, 0x0123_4567_89ab_cdefL),
                new UdpAnnounceResponse(10, 1800, 3, 4, AddressFamily.IPV4, v4),
                new UdpAnnounceResponse(11, 1800, 0, 0, AddressFamily.IPV4, List.of()),
                new UdpScrapeResponse(12, List.of(new ScrapeEntry(1, 2, 3), new ScrapeEntry(0, 0, 0))),
                new UdpErrorResponse(13, "connection id expired or invalid"),
                new UdpErrorResponse(14, "unicode: ünïcødé ✓"),
                new UdpErrorResponse(15, ""));
        for (UdpResponse response : v4Responses) {
            assertEquals(response, roundTrip(response, AddressFamily.IPV4));
        }
        UdpResponse ipv6 = new UdpAnnounceResponse(16, 900, 1, 2, AddressFamily.IPV6, v6);
        assertEquals(ipv6, roundTrip(ipv6, AddressFamily.IPV6));
    }

    private static UdpResponse roundTrip(UdpResponse response, AddressFamily family) throws UdpCodecException {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        UdpResponses.encode(buf, response);
        buf.flip();
        return UdpResponses.decode(buf, family);
    }

    @Test
    void announcePeersAreSixOrEighteenBytesByFamily() throws Exception {
        ByteBuffer v4 = ByteBuffer.allocate(512);
        UdpResponses.encodeAnnounceHeader(v4, 1, 1800, 5, 6);
        UdpResponses.encodeAnnouncePeer(v4, AddressFamily.IPV4, 0, IpAddress.parse("1.2.3.4").lo(), 0x1ae1);
        UdpResponses.encodeAnnouncePeer(v4, AddressFamily.IPV4, 0, IpAddress.parse("5.6.7.8").lo(), 0x1ae3);
        assertEquals(20 + 2 * 6, v4.position());
        assertEquals("00000001" + "00000001" + "00000708" + "00000005" + "00000006", hex(v4, 0, 20));
        assertEquals("01020304" + "1ae1" + "05060708" + "1ae3", hex(v4, 20, 12));

        ByteBuffer v6 = ByteBuffer.allocate(512);
        IpAddress ip6 = IpAddress.parse("2001:db8::7");
        UdpResponses.encodeAnnounceHeader(v6, 1, 1800, 5, 6);
        UdpResponses.encodeAnnouncePeer(v6, AddressFamily.IPV6, ip6.hi(), ip6.lo(), 0x1ae2);
        assertEquals(20 + 18, v6.position());
        assertEquals("20010db8000000000000000000000007" + "1ae2", hex(v6, 20, 18));
        v6.flip();
        UdpAnnounceResponse decoded = (UdpAnnounceResponse) UdpResponses.decode(v6, AddressFamily.IPV6);
        assertEquals(List.of(new CompactPeer(ip6, 0x1ae2)), decoded.peers());
        assertEquals(5, decoded.leechers());
        assertEquals(6, decoded.seeders());
    }

    @Test
    void fieldWiseAnnounceEncodingDecodesLikeTheRecord() throws Exception {
        for (AddressFamily family : AddressFamily.values()) {
            List<CompactPeer> peers = family == AddressFamily.IPV4
                    ? List.of(new CompactPeer(IpAddress.parse("1.2.3.4"), 1),
                    new CompactPeer(IpAddress.parse("255.255.255.255"), 65535))
                    : List.of(new CompactPeer(IpAddress.parse("2001:db8::7"), 2),
                    new CompactPeer(IpAddress.parse("ffff::1"), 65535));
            ByteBuffer buf = ByteBuffer.allocate(512);
            UdpResponses.encodeAnnounceHeader(buf, 77, 1800, 5, 6);
            for (CompactPeer p : peers) {
                UdpResponses.encodeAnnouncePeer(buf, family, p.ip().hi(), p.ip().lo(), p.port());
            }
            buf.flip();
            assertEquals(new UdpAnnounceResponse(77, 1800, 5, 6, family, peers),
                    UdpResponses.decode(buf, family));
        }
        ByteBuffer tooSmall = ByteBuffer.allocate(25);
        UdpResponses.encodeAnnounceHeader(tooSmall, 1, 1, 1, 1);
        assertThrows(BufferOverflowException.class,
                () -> UdpResponses.encodeAnnouncePeer(tooSmall, AddressFamily.IPV4, 0, 0x01020304L, 1));
        assertEquals(20, tooSmall.position(), "nothing written when the room is missing");
    }

    // ------------------------------------------------------------------ the bytes BEP 15 specifies

    @Test
    void connectRequestMatchesBep15Bytes() throws Exception {
        byte[] wire = HEX.parseHex("0000041727101980" + "00000000" + "cafebabe");
        assertEquals(new UdpConnectRequest(0xcafebabe), UdpRequests.decode(ByteBuffer.wrap(wire)));
        ByteBuffer out = ByteBuffer.allocate(16);
        UdpRequests.encode(out, new UdpConnectRequest(0xcafebabe));
        assertArrayEquals(wire, out.array());
    }

    @Test
    void announceFieldsSitAtBep15Offsets() throws Exception {
        String wire = "1122334455667788" // connection_id
                + "00000001" // action
                + "0badf00d" // transaction_id
                + HASH.hex()
                + HEX.formatHex(PEER_ID.bytes())
                + "0000000000000064" // downloaded 100
                + "00000000000000c8" // left 200
                + "000000000000012c" // uploaded 300
                + "00000002" // event started
                + "0a000001" // ip 10.0.0.1
                + "deadbeef" // key
                + "ffffffff" // num_want -1
                + "1ae1"; // port 6881
        UdpAnnounceRequest r = (UdpAnnounceRequest) UdpRequests.decode(ByteBuffer.wrap(HEX.parseHex(wire)));
        assertEquals(new UdpAnnounceRequest(0x1122334455667788L, 0x0badf00d, HASH, PEER_ID, 100, 200, 300, 2,
                0x0a000001, 0xdeadbeef, -1, 6881, ""), r);
        ByteBuffer out = ByteBuffer.allocate(98);
        UdpRequests.encode(out, r);
        assertEquals(wire, HEX.formatHex(out.array()));
    }

    @Test
    void scrapeResponseIsSeedersCompletedLeechers() {
        ByteBuffer out = ByteBuffer.allocate(64);
        UdpResponses.encodeScrapeHeader(out, 5);
        UdpResponses.encodeScrapeEntry(out, 1, 2, 3);
        assertEquals("00000002" + "00000005" + "00000001" + "00000002" + "00000003", hex(out, 0, 20));
    }

    @Test
    void fieldsAreBigEndianWhateverTheBufferOrderAndPosition() throws Exception {
        UdpAnnounceRequest request = announce("/announce?jwt=1");
        ByteBuffer little = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        little.position(7);
        UdpRequests.encode(little, request);
        ByteBuffer big = ByteBuffer.allocate(256);
        UdpRequests.encode(big, request);
        assertArrayEquals(Arrays.copyOfRange(big.array(), 0, big.position()),
                Arrays.copyOfRange(little.array(), 7, little.position()));
        little.flip().position(7);
        assertEquals(request, UdpRequests.decode(little));
        assertEquals(7, little.position(), "decoding leaves the buffer where it was");
    }

    // ------------------------------------------------------------------ BEP 41 options

    @Test
    void urlDataOptionsConcatenateAndNopsAreSkipped() throws Exception {
        assertEquals("/announce?jwt=xyz", urlDataOf(options(1, 2, "/ann", 1, 1, 2, "ounce?jwt=xyz")));
    }

    @Test
    void endOfOptionsStopsParsing() throws Exception {
        assertEquals("/a?x=1", urlDataOf(options(2, "/a?x=1", 0, 2, "&ignored=1")));
    }

    @Test
    void unknownOptionEndsParsingWithoutFailing() throws Exception {
        assertEquals("/a?x=1", urlDataOf(options(2, "/a?x=1", 0x7f, 2, "&ignored=1")));
    }

    @Test
    void truncatedOptionsKeepWhatCameBefore() throws Exception {
        byte[] complete = options(2, "/a?x=1", 2, "&y=2");
        // cut inside the second option's data, and right after its type byte
        assertEquals("/a?x=1", urlDataOf(Arrays.copyOf(complete, complete.length - 1)));
        assertEquals("/a?x=1", urlDataOf(Arrays.copyOf(complete, 8)));
        assertEquals("", urlDataOf(new byte[] {2}));
        assertEquals("", urlDataOf(new byte[] {2, 5, 'a'}));
    }

    @Test
    void longUrlDataIsSplitIntoChunksOfAtMost255Bytes() {
        ByteBuffer out = ByteBuffer.allocate(2048);
        UdpRequests.encode(out, announce("/" + "a".repeat(599)));
        assertEquals(98 + 600 + 3 * 2, out.position());
        assertEquals(2, out.get(98));
        assertEquals((byte) 255, out.get(99));
        assertEquals(2, out.get(98 + 2 + 255));
        assertEquals((byte) 90, out.get(98 + 2 * (2 + 255) + 1));
    }

    private static String urlDataOf(byte[] options) throws UdpCodecException {
        ByteBuffer buf = ByteBuffer.allocate(98 + options.length);
        UdpRequests.encode(buf, announce(""));
        buf.put(options).flip();
        return ((UdpAnnounceRequest) UdpRequests.decode(buf)).urlData();
    }

    /** Integers are option type bytes, strings are URLData payloads (length byte added). */
    private static byte[] options(Object... parts) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        for (Object part : parts) {
            if (part instanceof Integer type) {
                b.put(type.byteValue());
            } else {
                byte[] s = ((String) part).getBytes(StandardCharsets.UTF_8);
                b.put((byte) s.length).put(s);
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    // ------------------------------------------------------------------ malformed input

    @Test
    void shortPacketsCarryNoTransactionId() {
        for (int length = 0; length < 16; length++) {
            int n = length;
            UdpCodecException e = assertThrows(UdpCodecException.class,
                    () -> UdpRequests.decode(ByteBuffer.allocate(16).limit(n)));
            assertFalse(e.hasTransactionId());
            assertEquals(null, e.action(), "no header, no action");
        }
    }

    @Test
    void malformedRequestsKeepTheirTransactionId() {
        ByteBuffer announce = ByteBuffer.allocate(98);
        UdpRequests.encode(announce, announce(""));
        assertMalformed(Arrays.copyOf(announce.array(), 97), 77, Action.ANNOUNCE, "announce shorter than 98 bytes");
        assertMalformed(HEX.parseHex("0000041727101980" + "00000007" + "0000004d"), 77, null, "unknown action 7");
        assertMalformed(HEX.parseHex("0000000000000000" + "00000003" + "0000004d"), 77, Action.ERROR,
                "unknown action 3");
        assertMalformed(HEX.parseHex("0000041727101981" + "00000000" + "0000004d"), 77, Action.CONNECT,
                "connect without the BEP 15 protocol id");
        assertMalformed(HEX.parseHex("0000000000000001" + "00000002" + "0000004d"), 77, Action.SCRAPE,
                "scrape without info_hash");
        assertMalformed(HEX.parseHex("0000000000000001" + "00000002" + "0000004d" + "00".repeat(21)), 77,
                Action.SCRAPE, "scrape length is not 16 + 20 * n bytes");
    }

    private static void assertMalformed(byte[] packet, int transactionId, Action action, String message) {
        UdpCodecException e = assertThrows(UdpCodecException.class,
                () -> UdpRequests.decode(ByteBuffer.wrap(packet)));
        assertTrue(e.hasTransactionId());
        assertEquals(transactionId, e.transactionId());
        assertEquals(action, e.action());
        assertEquals(message, e.getMessage());
        assertEquals(ByteBuffer.wrap(packet).getLong(0), e.connectionId(), "the header's first 8 bytes");
    }

    @Test
    void malformedResponsesAreRefused() {
        assertThrows(UdpCodecException.class, () -> UdpResponses.decode(
                ByteBuffer.wrap(HEX.parseHex("00000001" + "00000001" + "00".repeat(12) + "00".repeat(7))),
                AddressFamily.IPV4));
        assertThrows(UdpCodecException.class, () -> UdpResponses.decode(
                ByteBuffer.wrap(HEX.parseHex("00000001" + "00000001" + "00".repeat(12) + "00".repeat(6))),
                AddressFamily.IPV6));
        assertThrows(UdpCodecException.class, () -> UdpResponses.decode(
                ByteBuffer.wrap(HEX.parseHex("00000009" + "00000001")), AddressFamily.IPV4));
    }

    @Test
    void decodersThrowOnlyTheirOwnErrorForRandomBytesOfEveryLength() {
        Random random = new Random(0x5eed);
        for (int length = 0; length <= 2048; length++) {
            for (int round = 0; round < 4; round++) {
                byte[] packet = new byte[length];
                random.nextBytes(packet);
                if (round >= 2 && length >= 16) {
                    // steer half the packets past the action check, into the per-action decoders
                    int action = random.nextInt(4);
                    ByteBuffer.wrap(packet).putInt(8, action).putInt(0, action);
                    if (action == 0 && round == 3) {
                        ByteBuffer.wrap(packet).putLong(0, UdpRequests.PROTOCOL_ID);
                    }
                }
                decodeEverywayQuietly(packet);
            }
        }
    }

    @Test
    void decodersThrowOnlyTheirOwnErrorForEveryTruncationOfValidPackets() {
        List<byte[]> valid = new ArrayList<>();
        valid.add(encodeRequest(new UdpConnectRequest(1)));
        valid.add(encodeRequest(announce("/announce?jwt=" + "j".repeat(600))));
        valid.add(encodeRequest(new UdpScrapeRequest(1, 2, List.of(HASH, HASH2, HASH, HASH2))));
        valid.add(encodeResponse(new UdpConnectResponse(1, 2)));
        valid.add(encodeResponse(new UdpAnnounceResponse(1, 2, 3, 4, AddressFamily.IPV6,
                List.of(new CompactPeer(IpAddress.parse("::1"), 1), new CompactPeer(IpAddress.parse("::2"), 2)))));
        valid.add(encodeResponse(new UdpScrapeResponse(1, List.of(new ScrapeEntry(1, 2, 3), new ScrapeEntry(4, 5, 6)))));
        valid.add(encodeResponse(new UdpErrorResponse(1, "bad ✓ thing")));
        for (byte[] packet : valid) {
            for (int length = 0; length <= packet.length; length++) {
                decodeEverywayQuietly(Arrays.copyOf(packet, length));
            }
        }
    }

    private static void decodeEverywayQuietly(byte[] packet) {
        try {
            UdpRequests.decode(ByteBuffer.wrap(packet));
        } catch (UdpCodecException expected) {
            // fine
        } catch (RuntimeException e) {
            fail("decodeRequest threw " + e + " for " + HEX.formatHex(packet), e);
        }
        for (AddressFamily family : AddressFamily.values()) {
            try {
                UdpResponses.decode(ByteBuffer.wrap(packet), family);
            } catch (UdpCodecException expected) {
                // fine
            } catch (RuntimeException e) {
                fail("decodeResponse(" + family + ") threw " + e + " for " + HEX.formatHex(packet), e);
            }
        }
    }

    // ------------------------------------------------------------------ encoder limits

    @Test
    void errorTextIsCutToTheBufferAtACharacterBoundary() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(8 + 5);
        UdpResponses.encodeError(out, 3, "abcd✓✓"); // ✓ is 3 bytes in UTF-8: "abcd" fits, the check mark does not
        out.flip();
        assertEquals(new UdpErrorResponse(3, "abcd"), UdpResponses.decode(out, AddressFamily.IPV4));
    }

    @Test
    void encodersWriteNothingWhenTheBufferIsTooSmall() {
        ByteBuffer out = ByteBuffer.allocate(97);
        assertThrows(BufferOverflowException.class, () -> UdpRequests.encode(out, announce("")));
        assertEquals(0, out.position());
    }

    @Test
    void anAnnounceResponseNeverMixesFamilies() {
        assertThrows(IllegalArgumentException.class, () -> new UdpAnnounceResponse(1, 1, 1, 1, AddressFamily.IPV6,
                List.of(new CompactPeer(IpAddress.parse("1.2.3.4"), 1))));
    }

    @Test
    void anEmptyErrorMessageIsStillAnError() throws Exception {
        UdpResponse r = UdpResponses.decode(ByteBuffer.wrap(HEX.parseHex("00000003" + "00000009")),
                AddressFamily.IPV4);
        assertInstanceOf(UdpErrorResponse.class, r);
        assertEquals("", ((UdpErrorResponse) r).message());
    }

    // ------------------------------------------------------------------ helpers

    private static UdpAnnounceRequest announce(String urlData) {
        return new UdpAnnounceRequest(0x1122334455667788L, 77, HASH, PEER_ID, 1, 2, 3, 2, 0, 12345, -1, 6881,
                urlData);
    }

    private static byte[] encodeRequest(UdpRequest r) {
        ByteBuffer b = ByteBuffer.allocate(2048);
        UdpRequests.encode(b, r);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] encodeResponse(UdpResponse r) {
        ByteBuffer b = ByteBuffer.allocate(2048);
        UdpResponses.encode(b, r);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static String hex(ByteBuffer b, int from, int length) {
        return HEX.formatHex(Arrays.copyOfRange(b.array(), from, from + length));
    }
}
