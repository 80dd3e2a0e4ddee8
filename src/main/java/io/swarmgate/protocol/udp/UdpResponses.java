package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.IpAddress;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.swarmgate.protocol.udp.BigEndian.getInt;
import static io.swarmgate.protocol.udp.BigEndian.getLong;
import static io.swarmgate.protocol.udp.BigEndian.getUnsignedShort;
import static io.swarmgate.protocol.udp.BigEndian.need;
import static io.swarmgate.protocol.udp.BigEndian.putInt;
import static io.swarmgate.protocol.udp.BigEndian.putLong;
import static io.swarmgate.protocol.udp.BigEndian.putShort;

/**
 * Tracker-to-client packets (BEP 15): the tracker encodes them, tests and the load generator decode them.
 * {@link UdpRequests} is the other direction.
 *
 * <p>The tracker's hot path writes field by field into a reused buffer, without a response object: an announce
 * answer is {@link #encodeAnnounceHeader} plus one {@link #encodeAnnouncePeer} per peer, a scrape answer
 * {@link #encodeScrapeHeader} plus one {@link #encodeScrapeEntry} per info_hash. {@link #encode} writes a
 * response value with those same pieces, so there is one way to write each packet. Encoders write at the
 * destination's position and advance it, checking the room they need first ({@link BufferOverflowException}
 * when missing); {@link #decode} leaves the buffer untouched and throws only {@link UdpCodecException}. All
 * fields are big-endian whatever the buffer's own byte order.
 */
public final class UdpResponses {
    /** Every response starts with action (4) and transaction id (4). */
    public static final int HEADER_LENGTH = 8;
    public static final int CONNECT_LENGTH = 16;
    /** Action, transaction id, interval, leechers, seeders; the peers follow. */
    public static final int ANNOUNCE_HEADER_LENGTH = 20;
    public static final int SCRAPE_ENTRY_LENGTH = 12;

    private UdpResponses() {
    }

    // ---------------------------------------------------------------- encode (tracker side)

    /** Any response value, written with the same field-wise encoders the tracker's hot path uses. */
    public static void encode(ByteBuffer dst, UdpResponse response) {
        switch (response) {
            case UdpConnectResponse r -> encodeConnect(dst, r.transactionId(), r.connectionId());
            case UdpAnnounceResponse r -> {
                AddressFamily family = r.family();
                need(dst, ANNOUNCE_HEADER_LENGTH + family.compactLength() * r.peers().size());
                encodeAnnounceHeader(dst, r.transactionId(), r.interval(), r.leechers(), r.seeders());
                for (CompactPeer p : r.peers()) {
                    encodeAnnouncePeer(dst, family, p.ip().hi(), p.ip().lo(), p.port());
                }
            }
            case UdpScrapeResponse r -> {
                need(dst, HEADER_LENGTH + SCRAPE_ENTRY_LENGTH * r.entries().size());
                encodeScrapeHeader(dst, r.transactionId());
                for (ScrapeEntry e : r.entries()) {
                    encodeScrapeEntry(dst, e.seeders(), e.completed(), e.leechers());
                }
            }
            case UdpErrorResponse r -> encodeError(dst, r.transactionId(), r.message());
        }
    }

    public static void encodeConnect(ByteBuffer dst, int transactionId, long connectionId) {
        need(dst, CONNECT_LENGTH);
        putHeader(dst, Action.CONNECT, transactionId);
        putLong(dst, connectionId);
    }

    /**
     * The first {@value #ANNOUNCE_HEADER_LENGTH} bytes of an announce response; follow with one
     * {@link #encodeAnnouncePeer} per peer, all of the family the request arrived over.
     */
    public static void encodeAnnounceHeader(ByteBuffer dst, int transactionId, int interval, int leechers,
                                            int seeders) {
        need(dst, ANNOUNCE_HEADER_LENGTH);
        putHeader(dst, Action.ANNOUNCE, transactionId);
        putInt(dst, interval);
        putInt(dst, leechers);
        putInt(dst, seeders);
    }

    /**
     * One peer of an announce response: 4 address bytes (IPv4, the low 32 bits of {@code ipLo}) or 16 (IPv6),
     * then the port, 6 or 18 bytes in all (BEP 15).
     */
    public static void encodeAnnouncePeer(ByteBuffer dst, AddressFamily family, long ipHi, long ipLo, int port) {
        need(dst, family.compactLength());
        if (family == AddressFamily.IPV4) {
            putInt(dst, (int) ipLo);
        } else {
            putLong(dst, ipHi);
            putLong(dst, ipLo);
        }
        putShort(dst, port);
    }

    /** The first 8 bytes of a scrape response; follow with one {@link #encodeScrapeEntry} per requested hash. */
    public static void encodeScrapeHeader(ByteBuffer dst, int transactionId) {
        need(dst, HEADER_LENGTH);
        putHeader(dst, Action.SCRAPE, transactionId);
    }

    /** One torrent's counts, in BEP 15 order: seeders, completed, leechers. */
    public static void encodeScrapeEntry(ByteBuffer dst, int seeders, int completed, int leechers) {
        need(dst, SCRAPE_ENTRY_LENGTH);
        putInt(dst, seeders);
        putInt(dst, completed);
        putInt(dst, leechers);
    }

    /**
     * An error packet. The message is UTF-8 and cut to the room left in {@code dst} (at a character boundary),
     * because an error must always be sendable.
     */
    public static void encodeError(ByteBuffer dst, int transactionId, String message) {
        need(dst, HEADER_LENGTH);
        putHeader(dst, Action.ERROR, transactionId);
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, dst.remaining());
        while (n < text.length && n > 0 && (text[n] & 0xc0) == 0x80) {
            n--; // do not end in the middle of a multi-byte character
        }
        dst.put(text, 0, n);
    }

    private static void putHeader(ByteBuffer dst, Action action, int transactionId) {
        putInt(dst, action.code());
        putInt(dst, transactionId);
    }

    // ---------------------------------------------------------------- decode (client side)

    /**
     * Decodes a tracker's packet. {@code peerFamily} is the family of the socket the request went out on, which
     * decides whether announce peers are 6 or 18 bytes (BEP 15): the packet itself does not say.
     *
     * @throws UdpCodecException for anything that is not a well-formed response
     */
    public static UdpResponse decode(ByteBuffer src, AddressFamily peerFamily) throws UdpCodecException {
        int base = src.position();
        int length = src.remaining();
        if (length < HEADER_LENGTH) {
            throw new UdpCodecException("response shorter than " + HEADER_LENGTH + " bytes");
        }
        int code = getInt(src, base);
        int transactionId = getInt(src, base + 4);
        Action action = Action.fromCode(code);
        if (action == null) {
            throw new UdpCodecException("unknown action " + code, null, transactionId);
        }
        return switch (action) {
            case CONNECT -> {
                if (length < CONNECT_LENGTH) {
                    throw new UdpCodecException("connect response shorter than 16 bytes", action, transactionId);
                }
                yield new UdpConnectResponse(transactionId, getLong(src, base + 8));
            }
            case ANNOUNCE -> decodeAnnounce(src, base, length, transactionId, peerFamily);
            case SCRAPE -> {
                int body = length - HEADER_LENGTH;
                if (body % SCRAPE_ENTRY_LENGTH != 0) {
                    throw new UdpCodecException("scrape response is not 8 + 12 * n bytes", action, transactionId);
                }
                List<ScrapeEntry> entries = new ArrayList<>(body / SCRAPE_ENTRY_LENGTH);
                for (int off = base + HEADER_LENGTH; off < base + length; off += SCRAPE_ENTRY_LENGTH) {
                    entries.add(new ScrapeEntry(getInt(src, off), getInt(src, off + 4), getInt(src, off + 8)));
                }
                yield new UdpScrapeResponse(transactionId, entries);
            }
            case ERROR -> {
                byte[] text = new byte[length - HEADER_LENGTH];
                src.get(base + HEADER_LENGTH, text);
                yield new UdpErrorResponse(transactionId, new String(text, StandardCharsets.UTF_8));
            }
        };
    }

    private static UdpAnnounceResponse decodeAnnounce(ByteBuffer src, int base, int length, int transactionId,
                                                      AddressFamily peerFamily) throws UdpCodecException {
        int size = peerFamily.compactLength();
        int body = length - ANNOUNCE_HEADER_LENGTH;
        if (body < 0 || body % size != 0) {
            throw new UdpCodecException("announce response is not 20 + " + size + " * n bytes", Action.ANNOUNCE,
                    transactionId);
        }
        List<CompactPeer> peers = new ArrayList<>(body / size);
        for (int off = base + ANNOUNCE_HEADER_LENGTH; off < base + length; off += size) {
            IpAddress ip = peerFamily == AddressFamily.IPV4
                    ? IpAddress.ipv4(getInt(src, off))
                    // kept as sent, even an IPv4-mapped address: the packet's family is IPv6
                    : new IpAddress(AddressFamily.IPV6, getLong(src, off), getLong(src, off + 8));
            peers.add(new CompactPeer(ip, getUnsignedShort(src, off + size - 2)));
        }
        return new UdpAnnounceResponse(transactionId, getInt(src, base + 8), getInt(src, base + 12),
                getInt(src, base + 16), peerFamily, peers);
    }
}
