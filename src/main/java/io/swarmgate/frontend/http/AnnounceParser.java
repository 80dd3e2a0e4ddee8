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
        String portText = q.string("port");
        if (portText == null) {
            throw ClientError.badRequest("missing port");
        }
        long port = q.nonNegative("port", 0);
        if (port < 1 || port > 65535) {
            throw ClientError.badRequest("invalid port: must be 1-65535");
        }
        if (!q.has("left")) {
            throw ClientError.badRequest("missing left");
        }
        long left = q.nonNegative("left", 0);
        long uploaded = q.nonNegative("uploaded", 0);
        long downloaded = q.nonNegative("downloaded", 0);
        String eventText = q.string("event");
        Event event = eventText == null ? Event.NONE : Event.parse(eventText);
        int numWant = numWant(q);
        boolean compact = !"0".equals(q.string("compact"));
        boolean noPeerId = "1".equals(q.string("no_peer_id"));
        IpAddress ip = allowIpParam ? ipParam(q, client) : client;
        RequestMeta meta = q.meta(Frontend.HTTP, PROTOCOL_PARAMS, bearerToken);
        return new AnnounceRequest(infoHash, new Peer(peerId, ip, (int) port), uploaded, downloaded, left, event,
                numWant, compact, noPeerId, meta);
    }

    /** How many info_hashes a scrape may name is the tracker's rule ({@code TrackerLogic}), not the parser's. */
    static ScrapeRequest scrape(QueryString q, IpAddress client, String bearerToken) throws ClientError {
        List<byte[]> raw = q.all("info_hash");
        if (raw.isEmpty()) {
            throw ClientError.badRequest("missing info_hash (full scrapes are not served)");
        }
        List<InfoHash> hashes = new ArrayList<>(raw.size());
        for (byte[] b : raw) {
            if (b.length != 20) {
                throw ClientError.badRequest("invalid info_hash: must be 20 bytes, got " + b.length);
            }
            hashes.add(InfoHash.of(b));
        }
        return new ScrapeRequest(hashes, client.family(), q.meta(Frontend.HTTP, Set.of("info_hash"), bearerToken));
    }

    private static byte[] id(QueryString q, String name) throws ClientError {
        byte[] b = q.bytes(name);
        if (b == null) {
            throw ClientError.badRequest("missing " + name);
        }
        if (b.length != 20) {
            throw ClientError.badRequest("invalid " + name + ": must be 20 bytes, got " + b.length);
        }
        return b;
    }

    /** numwant (or num_want, which some clients send); absent or negative means the default. */
    private static int numWant(QueryString q) throws ClientError {
        String s = q.string("numwant");
        if (s == null) {
            s = q.string("num_want");
        }
        if (s == null || s.isBlank()) {
            return -1;
        }
        try {
            long v = Long.parseLong(s.strip());
            return v < 0 ? -1 : (int) Math.min(v, Integer.MAX_VALUE);
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
