package io.swarmgate.frontend.http;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.frontend.QueryString;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns an HTTP announce or scrape query (BEP 3, 23, 7, 48) into a request record, or a {@link ClientError}
 * saying exactly which parameter was wrong. Parameters it does not know are passed on to hooks in
 * {@link RequestMeta}, which is how {@code jwt} reaches the JWT hook.
 */
final class AnnounceParser {
    /** Parameters of the BitTorrent protocol itself; everything else is left for hooks. */
    private static final Set<String> PROTOCOL_PARAMS = Set.of("info_hash", "peer_id", "port", "uploaded",
            "downloaded", "left", "event", "numwant", "num_want", "compact", "no_peer_id", "ip", "ipv4", "ipv6",
            "key", "corrupt", "supportcrypto", "requirecrypto", "cryptoport", "trackerid", "redundant");

    private AnnounceParser() {
    }

    /**
     * @param client the address the tracker already decided on (connection or trusted proxy header)
     */
    static AnnounceRequest announce(QueryString q, IpAddress client, boolean allowIpParam, String bearerToken) throws ClientError {
        InfoHash infoHash = InfoHash.of(id(q, "info_hash"));
        PeerId peerId = PeerId.of(id(q, "peer_id"));
        if (q.string("port") == null) {
            throw ClientError.badRequest("missing port");
        }
        long port = q.number("port", 0);
        if (!q.has("left")) {
            throw ClientError.badRequest("missing left");
        }
        long left = q.number("left", 0);
        long uploaded = q.number("uploaded", 0);
        long downloaded = q.number("downloaded", 0);
        String eventText = q.string("event");
        Event event = eventText == null ? Event.NONE : Event.parse(eventText);
        long numWant = numWant(q);
        boolean compact = !"0".equals(q.string("compact"));
        boolean noPeerId = "1".equals(q.string("no_peer_id"));
        IpAddress ip = allowIpParam ? ipParam(q, client) : client;
        RequestMeta meta = q.meta(Frontend.HTTP, PROTOCOL_PARAMS, bearerToken);
        // which values are valid (port range, byte counts, numwant) is the request type's rule, not the parser's
        return AnnounceRequest.of(infoHash, peerId, ip, port, uploaded, downloaded, left, event, numWant, compact,
                noPeerId, meta);
    }

    /** How many info_hashes a scrape may name is the tracker's rule ({@code TrackerLogic}), not the parser's. */
    static ScrapeRequest scrape(QueryString q, IpAddress client, String bearerToken) throws ClientError {
        List<byte[]> raw = q.all("info_hash");
        if (raw.isEmpty()) {
            throw ClientError.badRequest("missing info_hash (full scrapes are not served)");
        }
        List<InfoHash> hashes = new ArrayList<>(raw.size());
        for (byte[] b : raw) {
            hashes.add(InfoHash.of(twentyBytes("info_hash", b)));
        }
        return new ScrapeRequest(hashes, client.family(), q.meta(Frontend.HTTP, Set.of("info_hash"), bearerToken));
    }

    private static byte[] id(QueryString q, String name) throws ClientError {
        byte[] b = q.bytes(name);
        if (b == null) {
            throw ClientError.badRequest("missing " + name);
        }
        return twentyBytes(name, b);
    }

    private static byte[] twentyBytes(String name, byte[] b) throws ClientError {
        if (b.length != 20) {
            throw ClientError.badRequest("invalid " + name + ": must be 20 bytes, got " + b.length);
        }
        return b;
    }

    /** numwant (or num_want, which some clients send); -1 when absent (negative values mean the default too). */
    private static long numWant(QueryString q) throws ClientError {
        String s = q.string("numwant");
        if (s == null) {
            s = q.string("num_want");
        }
        if (s == null || s.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw ClientError.badRequest("invalid numwant: not a number");
        }
    }

    /** {@code ip}, then {@code ipv4}, then {@code ipv6} (BEP 7); a numeric address only, never a DNS name. */
    private static IpAddress ipParam(QueryString q, IpAddress client) throws ClientError {
        for (String name : new String[] {"ip", "ipv4", "ipv6"}) {
            String s = q.string(name);
            if (s != null && !s.isBlank()) {
                try {
                    return IpAddress.parse(s);
                } catch (IllegalArgumentException e) {
                    throw ClientError.badRequest("invalid " + name + ": not an IP address");
                }
            }
        }
        return client;
    }
}
