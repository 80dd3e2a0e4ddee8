package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes and encodes BEP 15 packets, with BEP 41 URL data in announces.
 *
 * <p>Decoders read the bytes between a buffer's position and limit and leave the buffer untouched; for any
 * input they either return a value or throw {@link UdpCodecException}. Encoders write at the destination's
 * position and advance it; they check the room they need before writing anything and throw
 * {@link BufferOverflowException} when it is missing (a caller sizing bug, not a client's fault). All fields are
 * big-endian whatever the buffer's own byte order.
 */
public final class UdpCodec {
    /** The magic that fills a connect request's connection id field (BEP 15). */
    public static final long PROTOCOL_ID = 0x41727101980L;

    /** Every request starts with connection id (8), action (4) and transaction id (4). */
    public static final int REQUEST_HEADER_LENGTH = 16;
    /** An announce without BEP 41 options; IPv6 clients send the same layout (the ip field stays 4 bytes). */
    public static final int ANNOUNCE_REQUEST_LENGTH = 98;
    public static final int INFO_HASH_LENGTH = 20;
    /** Every response starts with action (4) and transaction id (4). */
    public static final int RESPONSE_HEADER_LENGTH = 8;
    public static final int CONNECT_RESPONSE_LENGTH = 16;
    /** Action, transaction id, interval, leechers, seeders; the peers follow. */
    public static final int ANNOUNCE_RESPONSE_HEADER_LENGTH = 20;
    public static final int SCRAPE_ENTRY_LENGTH = 12;

    // BEP 41 option types
    static final int OPTION_END_OF_OPTIONS = 0x0;
    static final int OPTION_NOP = 0x1;
    static final int OPTION_URL_DATA = 0x2;
    /** A URLData option carries at most 255 bytes; longer URL data is split over several options. */
    static final int MAX_URL_DATA_CHUNK = 255;

    private UdpCodec() {
    }

    // ---------------------------------------------------------------- requests: decode (tracker side)

    /**
     * Decodes a client's packet.
     *
     * @throws UdpCodecException for anything that is not a well-formed connect, announce or scrape; it carries
     *                           the transaction id when the packet had at least {@value #REQUEST_HEADER_LENGTH}
     *                           bytes
     */
    public static UdpRequest decodeRequest(ByteBuffer src) throws UdpCodecException {
        int base = src.position();
        int length = src.remaining();
        if (length < REQUEST_HEADER_LENGTH) {
            throw new UdpCodecException("packet shorter than " + REQUEST_HEADER_LENGTH + " bytes");
        }
        long connectionId = getLong(src, base);
        int action = getInt(src, base + 8);
        int transactionId = getInt(src, base + 12);
        return switch (action) {
            case 0 -> {
                // BEP 15: the magic tells a tracker that the sender really speaks this protocol
                if (connectionId != PROTOCOL_ID) {
                    throw new UdpCodecException("connect without the BEP 15 protocol id", transactionId);
                }
                yield new UdpConnectRequest(transactionId);
            }
            case 1 -> decodeAnnounce(src, base, length, connectionId, transactionId);
            case 2 -> decodeScrape(src, base, length, connectionId, transactionId);
            default -> throw new UdpCodecException("unknown action " + action, transactionId);
        };
    }

    private static UdpAnnounceRequest decodeAnnounce(ByteBuffer src, int base, int length, long connectionId,
                                                     int transactionId) throws UdpCodecException {
        if (length < ANNOUNCE_REQUEST_LENGTH) {
            throw new UdpCodecException("announce shorter than " + ANNOUNCE_REQUEST_LENGTH + " bytes", transactionId);
        }
        return new UdpAnnounceRequest(
                connectionId,
                transactionId,
                new InfoHash(getLong(src, base + 16), getLong(src, base + 24), getInt(src, base + 32)),
                new PeerId(getLong(src, base + 36), getLong(src, base + 44), getInt(src, base + 52)),
                getLong(src, base + 56),
                getLong(src, base + 64),
                getLong(src, base + 72),
                getInt(src, base + 80),
                getInt(src, base + 84),
                getInt(src, base + 88),
                getInt(src, base + 92),
                (getShort(src, base + 96) & 0xffff),
                urlData(src, base + ANNOUNCE_REQUEST_LENGTH, base + length));
    }

    /**
     * BEP 41 options after the fixed announce. Deliberately lenient, as BEP 41 asks: an unknown option type ends
     * option parsing (its length is unknowable), and so does an option cut short by the end of the packet; what
     * was read until then counts.
     */
    private static String urlData(ByteBuffer src, int from, int end) {
        if (from >= end) {
            return "";
        }
        byte[] data = null;
        int length = 0;
        int i = from;
        while (i < end) {
            int type = src.get(i) & 0xff;
            if (type == OPTION_NOP) {
                i++;
                continue;
            }
            if (type != OPTION_URL_DATA || i + 1 >= end) {
                break; // EndOfOptions, an unknown type, or a URLData without its length byte
            }
            int chunk = src.get(i + 1) & 0xff;
            if (i + 2 + chunk > end) {
                break; // truncated URLData: keep what the complete options said
            }
            if (data == null) {
                data = new byte[end - from];
            }
            src.get(i + 2, data, length, chunk);
            length += chunk;
            i += 2 + chunk;
        }
        return length == 0 ? "" : new String(data, 0, length, StandardCharsets.UTF_8);
    }

    private static UdpScrapeRequest decodeScrape(ByteBuffer src, int base, int length, long connectionId,
                                                 int transactionId) throws UdpCodecException {
        int body = length - REQUEST_HEADER_LENGTH;
        if (body == 0) {
            throw new UdpCodecException("scrape without info_hash", transactionId);
        }
        if (body % INFO_HASH_LENGTH != 0) {
            throw new UdpCodecException("scrape length is not 16 + 20 * n bytes", transactionId);
        }
        int count = body / INFO_HASH_LENGTH;
        List<InfoHash> infoHashes = new ArrayList<>(count);
        for (int k = 0, off = base + REQUEST_HEADER_LENGTH; k < count; k++, off += INFO_HASH_LENGTH) {
            infoHashes.add(new InfoHash(getLong(src, off), getLong(src, off + 8), getInt(src, off + 16)));
        }
        return new UdpScrapeRequest(connectionId, transactionId, infoHashes);
    }

    // ---------------------------------------------------------------- responses: encode (tracker side)

    /** Any response value; the tracker's hot path uses the field-wise encoders below instead. */
    public static void encodeResponse(ByteBuffer dst, UdpResponse response) {
        switch (response) {
            case UdpConnectResponse r -> encodeConnectResponse(dst, r.transactionId(), r.connectionId());
            case UdpAnnounceResponse r -> {
                int size = r.family().compactLength();
                need(dst, ANNOUNCE_RESPONSE_HEADER_LENGTH + size * r.peers().size());
                encodeAnnounceHeader(dst, r.transactionId(), r.interval(), r.leechers(), r.seeders());
                for (CompactPeer p : r.peers()) {
                    putPeer(dst, p.ip(), p.port());
                }
            }
            case UdpScrapeResponse r -> {
                need(dst, RESPONSE_HEADER_LENGTH + SCRAPE_ENTRY_LENGTH * r.entries().size());
                encodeScrapeResponseHeader(dst, r.transactionId());
                for (ScrapeEntry e : r.entries()) {
                    encodeScrapeEntry(dst, e.seeders(), e.completed(), e.leechers());
                }
            }
            case UdpErrorResponse r -> encodeError(dst, r.transactionId(), r.message());
        }
    }

    public static void encodeConnectResponse(ByteBuffer dst, int transactionId, long connectionId) {
        need(dst, CONNECT_RESPONSE_LENGTH);
        putInt(dst, UdpAction.CONNECT.code());
        putInt(dst, transactionId);
        putLong(dst, connectionId);
    }

    /**
     * Writes an announce response straight from the tracker's peers. Peers of the other address family cannot be
     * expressed in this packet (its peer size follows the request's family, BEP 15), so they are left out.
     *
     * @return how many peers were written
     */
    public static int encodeAnnounceResponse(ByteBuffer dst, int transactionId, int interval, int leechers,
                                             int seeders, AddressFamily family, List<Peer> peers) {
        int count = 0;
        for (int k = 0, n = peers.size(); k < n; k++) {
            if (peers.get(k).family() == family) {
                count++;
            }
        }
        need(dst, ANNOUNCE_RESPONSE_HEADER_LENGTH + family.compactLength() * count);
        encodeAnnounceHeader(dst, transactionId, interval, leechers, seeders);
        for (int k = 0, n = peers.size(); k < n; k++) {
            Peer p = peers.get(k);
            if (p.family() == family) {
                putPeer(dst, p.ip(), p.port());
            }
        }
        return count;
    }

    /**
     * The first {@value #ANNOUNCE_RESPONSE_HEADER_LENGTH} bytes of an announce response; follow with one
     * {@link #encodeAnnouncePeer} per peer, all of the family the request arrived over.
     */
    public static void encodeAnnounceResponseHeader(ByteBuffer dst, int transactionId, int interval, int leechers,
                                                    int seeders) {
        need(dst, ANNOUNCE_RESPONSE_HEADER_LENGTH);
        encodeAnnounceHeader(dst, transactionId, interval, leechers, seeders);
    }

    /**
     * One peer of an announce response: 4 address bytes (IPv4, the low 32 bits of {@code ipLo}) or 16 (IPv6),
     * then the port, 6 or 18 bytes in all (BEP 15).
     */
    public static void encodeAnnouncePeer(ByteBuffer dst, AddressFamily family, long ipHi, long ipLo, int port) {
        need(dst, family.compactLength());
        putPeer(dst, family, ipHi, ipLo, port);
    }

    private static void encodeAnnounceHeader(ByteBuffer dst, int transactionId, int interval, int leechers,
                                             int seeders) {
        putInt(dst, UdpAction.ANNOUNCE.code());
        putInt(dst, transactionId);
        putInt(dst, interval);
        putInt(dst, leechers);
        putInt(dst, seeders);
    }

    private static void putPeer(ByteBuffer dst, IpAddress ip, int port) {
        putPeer(dst, ip.family(), ip.hi(), ip.lo(), port);
    }

    private static void putPeer(ByteBuffer dst, AddressFamily family, long ipHi, long ipLo, int port) {
        if (family == AddressFamily.IPV4) {
            putInt(dst, (int) ipLo);
        } else {
            putLong(dst, ipHi);
            putLong(dst, ipLo);
        }
        putShort(dst, port);
    }

    /** The first 8 bytes of a scrape response; follow with one {@link #encodeScrapeEntry} per requested hash. */
    public static void encodeScrapeResponseHeader(ByteBuffer dst, int transactionId) {
        need(dst, RESPONSE_HEADER_LENGTH);
        putInt(dst, UdpAction.SCRAPE.code());
        putInt(dst, transactionId);
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
        need(dst, RESPONSE_HEADER_LENGTH);
        putInt(dst, UdpAction.ERROR.code());
        putInt(dst, transactionId);
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, dst.remaining());
        while (n < text.length && n > 0 && (text[n] & 0xc0) == 0x80) {
            n--; // do not end in the middle of a multi-byte character
        }
        dst.put(text, 0, n);
    }

    // ---------------------------------------------------------------- requests: encode (client side)

    /** Encodes a request as a client sends it; URL data becomes as many BEP 41 URLData options as it needs. */
    public static void encodeRequest(ByteBuffer dst, UdpRequest request) {
        switch (request) {
            case UdpConnectRequest r -> {
                need(dst, REQUEST_HEADER_LENGTH);
                putLong(dst, PROTOCOL_ID);
                putInt(dst, UdpAction.CONNECT.code());
                putInt(dst, r.transactionId());
            }
            case UdpAnnounceRequest r -> encodeAnnounce(dst, r);
            case UdpScrapeRequest r -> {
                need(dst, REQUEST_HEADER_LENGTH + INFO_HASH_LENGTH * r.infoHashes().size());
                putLong(dst, r.connectionId());
                putInt(dst, UdpAction.SCRAPE.code());
                putInt(dst, r.transactionId());
                for (InfoHash h : r.infoHashes()) {
                    putLong(dst, h.a());
                    putLong(dst, h.b());
                    putInt(dst, h.c());
                }
            }
        }
    }

    private static void encodeAnnounce(ByteBuffer dst, UdpAnnounceRequest r) {
        byte[] url = r.urlData().getBytes(StandardCharsets.UTF_8);
        int chunks = (url.length + MAX_URL_DATA_CHUNK - 1) / MAX_URL_DATA_CHUNK;
        need(dst, ANNOUNCE_REQUEST_LENGTH + 2 * chunks + url.length);
        putLong(dst, r.connectionId());
        putInt(dst, UdpAction.ANNOUNCE.code());
        putInt(dst, r.transactionId());
        putLong(dst, r.infoHash().a());
        putLong(dst, r.infoHash().b());
        putInt(dst, r.infoHash().c());
        putLong(dst, r.peerId().a());
        putLong(dst, r.peerId().b());
        putInt(dst, r.peerId().c());
        putLong(dst, r.downloaded());
        putLong(dst, r.left());
        putLong(dst, r.uploaded());
        putInt(dst, r.event());
        putInt(dst, r.ipv4());
        putInt(dst, r.key());
        putInt(dst, r.numWant());
        putShort(dst, r.port());
        for (int off = 0; off < url.length; off += MAX_URL_DATA_CHUNK) {
            int n = Math.min(MAX_URL_DATA_CHUNK, url.length - off);
            dst.put((byte) OPTION_URL_DATA);
            dst.put((byte) n);
            dst.put(url, off, n);
        }
        // no EndOfOptions: the end of the packet ends the options (BEP 41)
    }

    // ---------------------------------------------------------------- responses: decode (client side)

    /**
     * Decodes a tracker's packet. {@code peerFamily} is the family of the socket the request went out on, which
     * decides whether announce peers are 6 or 18 bytes (BEP 15): the packet itself does not say.
     *
     * @throws UdpCodecException for anything that is not a well-formed response
     */
    public static UdpResponse decodeResponse(ByteBuffer src, AddressFamily peerFamily) throws UdpCodecException {
        int base = src.position();
        int length = src.remaining();
        if (length < RESPONSE_HEADER_LENGTH) {
            throw new UdpCodecException("response shorter than " + RESPONSE_HEADER_LENGTH + " bytes");
        }
        int action = getInt(src, base);
        int transactionId = getInt(src, base + 4);
        switch (action) {
            case 0 -> {
                if (length < CONNECT_RESPONSE_LENGTH) {
                    throw new UdpCodecException("connect response shorter than 16 bytes", transactionId);
                }
                return new UdpConnectResponse(transactionId, getLong(src, base + 8));
            }
            case 1 -> {
                int size = peerFamily.compactLength();
                int body = length - ANNOUNCE_RESPONSE_HEADER_LENGTH;
                if (body < 0 || body % size != 0) {
                    throw new UdpCodecException("announce response is not 20 + " + size + " * n bytes", transactionId);
                }
                List<CompactPeer> peers = new ArrayList<>(body / size);
                for (int off = base + ANNOUNCE_RESPONSE_HEADER_LENGTH; off < base + length; off += size) {
                    IpAddress ip = peerFamily == AddressFamily.IPV4
                            ? IpAddress.ipv4(getInt(src, off))
                            // kept as sent, even an IPv4-mapped address: the packet's family is IPv6
                            : new IpAddress(AddressFamily.IPV6, getLong(src, off), getLong(src, off + 8));
                    peers.add(new CompactPeer(ip, getShort(src, off + size - 2) & 0xffff));
                }
                return new UdpAnnounceResponse(transactionId, getInt(src, base + 8), getInt(src, base + 12),
                        getInt(src, base + 16), peerFamily, peers);
            }
            case 2 -> {
                int body = length - RESPONSE_HEADER_LENGTH;
                if (body % SCRAPE_ENTRY_LENGTH != 0) {
                    throw new UdpCodecException("scrape response is not 8 + 12 * n bytes", transactionId);
                }
                List<ScrapeEntry> entries = new ArrayList<>(body / SCRAPE_ENTRY_LENGTH);
                for (int off = base + RESPONSE_HEADER_LENGTH; off < base + length; off += SCRAPE_ENTRY_LENGTH) {
                    entries.add(new ScrapeEntry(getInt(src, off), getInt(src, off + 4), getInt(src, off + 8)));
                }
                return new UdpScrapeResponse(transactionId, entries);
            }
            case 3 -> {
                byte[] text = new byte[length - RESPONSE_HEADER_LENGTH];
                src.get(base + RESPONSE_HEADER_LENGTH, text);
                return new UdpErrorResponse(transactionId, new String(text, StandardCharsets.UTF_8));
            }
            default -> throw new UdpCodecException("unknown action " + action, transactionId);
        }
    }

    // ---------------------------------------------------------------- big-endian access whatever the buffer order

    private static void need(ByteBuffer dst, int bytes) {
        if (dst.remaining() < bytes) {
            throw new BufferOverflowException();
        }
    }

    private static boolean bigEndian(ByteBuffer b) {
        return b.order() == ByteOrder.BIG_ENDIAN;
    }

    private static long getLong(ByteBuffer b, int i) {
        long v = b.getLong(i);
        return bigEndian(b) ? v : Long.reverseBytes(v);
    }

    private static int getInt(ByteBuffer b, int i) {
        int v = b.getInt(i);
        return bigEndian(b) ? v : Integer.reverseBytes(v);
    }

    private static short getShort(ByteBuffer b, int i) {
        short v = b.getShort(i);
        return bigEndian(b) ? v : Short.reverseBytes(v);
    }

    private static void putLong(ByteBuffer b, long v) {
        b.putLong(bigEndian(b) ? v : Long.reverseBytes(v));
    }

    private static void putInt(ByteBuffer b, int v) {
        b.putInt(bigEndian(b) ? v : Integer.reverseBytes(v));
    }

    private static void putShort(ByteBuffer b, int v) {
        short s = (short) v;
        b.putShort(bigEndian(b) ? s : Short.reverseBytes(s));
    }
}
