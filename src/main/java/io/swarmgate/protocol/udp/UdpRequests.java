package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;

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
 * Client-to-tracker packets (BEP 15, with BEP 41 URL data in announces): the tracker decodes them, tests and the
 * load generator encode them. {@link UdpResponses} is the other direction.
 *
 * <p>{@link #decode} reads the bytes between a buffer's position and limit and leaves the buffer untouched; for
 * any input it either returns a value or throws {@link UdpCodecException}, which carries what the header said.
 * {@link #encode} writes at the destination's position and advances it; it checks the room it needs before
 * writing anything and throws {@link BufferOverflowException} when it is missing (a caller sizing bug, not a
 * client's fault). All fields are big-endian whatever the buffer's own byte order.
 */
public final class UdpRequests {
    /** The magic that fills a connect request's connection id field (BEP 15). */
    public static final long PROTOCOL_ID = 0x41727101980L;

    /** Every request starts with connection id (8), action (4) and transaction id (4). */
    public static final int HEADER_LENGTH = 16;
    /** An announce without BEP 41 options; IPv6 clients send the same layout (the ip field stays 4 bytes). */
    public static final int ANNOUNCE_LENGTH = 98;
    public static final int INFO_HASH_LENGTH = 20;

    // BEP 41 option types
    static final int OPTION_END_OF_OPTIONS = 0x0;
    static final int OPTION_NOP = 0x1;
    static final int OPTION_URL_DATA = 0x2;
    /** A URLData option carries at most 255 bytes; longer URL data is split over several options. */
    static final int MAX_URL_DATA_CHUNK = 255;

    private UdpRequests() {
    }

    // ---------------------------------------------------------------- decode (tracker side)

    /**
     * Decodes a client's packet.
     *
     * @throws UdpCodecException for anything that is not a well-formed connect, announce or scrape; it carries
     *                           the transaction id and the action when the packet had at least
     *                           {@value #HEADER_LENGTH} bytes
     */
    public static UdpRequest decode(ByteBuffer src) throws UdpCodecException {
        int base = src.position();
        int length = src.remaining();
        if (length < HEADER_LENGTH) {
            throw new UdpCodecException("packet shorter than " + HEADER_LENGTH + " bytes");
        }
        long connectionId = getLong(src, base);
        int code = getInt(src, base + 8);
        int transactionId = getInt(src, base + 12);
        Action action = Action.fromCode(code);
        if (action == null || !action.isRequest()) {
            throw new UdpCodecException("unknown action " + code, action, transactionId, connectionId);
        }
        return switch (action) {
            case CONNECT -> {
                // BEP 15: the magic tells a tracker that the sender really speaks this protocol
                if (connectionId != PROTOCOL_ID) {
                    throw new UdpCodecException("connect without the BEP 15 protocol id", action, transactionId,
                            connectionId);
                }
                yield new UdpConnectRequest(transactionId);
            }
            case ANNOUNCE -> decodeAnnounce(src, base, length, connectionId, transactionId);
            case SCRAPE -> decodeScrape(src, base, length, connectionId, transactionId);
            case ERROR -> throw new AssertionError("not a request: " + action);
        };
    }

    private static UdpAnnounceRequest decodeAnnounce(ByteBuffer src, int base, int length, long connectionId,
                                                     int transactionId) throws UdpCodecException {
        if (length < ANNOUNCE_LENGTH) {
            throw new UdpCodecException("announce shorter than " + ANNOUNCE_LENGTH + " bytes", Action.ANNOUNCE,
                    transactionId, connectionId);
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
                getUnsignedShort(src, base + 96),
                urlData(src, base + ANNOUNCE_LENGTH, base + length));
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
        int body = length - HEADER_LENGTH;
        if (body == 0) {
            throw new UdpCodecException("scrape without info_hash", Action.SCRAPE, transactionId, connectionId);
        }
        if (body % INFO_HASH_LENGTH != 0) {
            throw new UdpCodecException("scrape length is not 16 + 20 * n bytes", Action.SCRAPE, transactionId,
                    connectionId);
        }
        int count = body / INFO_HASH_LENGTH;
        List<InfoHash> infoHashes = new ArrayList<>(count);
        for (int k = 0, off = base + HEADER_LENGTH; k < count; k++, off += INFO_HASH_LENGTH) {
            infoHashes.add(new InfoHash(getLong(src, off), getLong(src, off + 8), getInt(src, off + 16)));
        }
        return new UdpScrapeRequest(connectionId, transactionId, infoHashes);
    }

    // ---------------------------------------------------------------- encode (client side)

    /** Encodes a request as a client sends it; URL data becomes as many BEP 41 URLData options as it needs. */
    public static void encode(ByteBuffer dst, UdpRequest request) {
        switch (request) {
            case UdpConnectRequest r -> {
                need(dst, HEADER_LENGTH);
                putHeader(dst, PROTOCOL_ID, r);
            }
            case UdpAnnounceRequest r -> encodeAnnounce(dst, r);
            case UdpScrapeRequest r -> {
                need(dst, HEADER_LENGTH + INFO_HASH_LENGTH * r.infoHashes().size());
                putHeader(dst, r.connectionId(), r);
                for (InfoHash h : r.infoHashes()) {
                    putLong(dst, h.a());
                    putLong(dst, h.b());
                    putInt(dst, h.c());
                }
            }
        }
    }

    private static void putHeader(ByteBuffer dst, long connectionId, UdpRequest r) {
        putLong(dst, connectionId);
        putInt(dst, r.action().code());
        putInt(dst, r.transactionId());
    }

    private static void encodeAnnounce(ByteBuffer dst, UdpAnnounceRequest r) {
        byte[] url = r.urlData().getBytes(StandardCharsets.UTF_8);
        int chunks = (url.length + MAX_URL_DATA_CHUNK - 1) / MAX_URL_DATA_CHUNK;
        need(dst, ANNOUNCE_LENGTH + 2 * chunks + url.length);
        putHeader(dst, r.connectionId(), r);
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
}
