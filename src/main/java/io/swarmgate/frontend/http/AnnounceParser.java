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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an HTTP announce or scrape query (BEP 3, 23, 7, 48) into a request record, or a {@link ClientError}
 * saying exactly which parameter was wrong. Parameters it does not know are passed on to hooks in
 * {@link RequestMeta}, which is how {@code jwt} reaches the JWT hook.
 */
final class AnnounceParser {
    // The parameters an announce reads, by their index into the array of first positions that announce() fills.
    private static final int INFO_HASH = 0;
    private static final int PEER_ID = 1;
    private static final int PORT = 2;
    private static final int UPLOADED = 3;
    private static final int DOWNLOADED = 4;
    private static final int LEFT = 5;
    private static final int EVENT = 6;
    private static final int NUMWANT = 7;
    private static final int NUM_WANT = 8;
    private static final int COMPACT = 9;
    private static final int NO_PEER_ID = 10;
    private static final int IP = 11;
    private static final int IPV4 = 12;
    private static final int IPV6 = 13;
    private static final int FIELDS = 14;
    /** Where a client may name its address, in the order they are tried (BEP 7). */
    private static final int[] IP_FIELDS = {IP, IPV4, IPV6};
    /** A parameter of the BitTorrent protocol that the tracker does not use: not passed to hooks either. */
    private static final int IGNORED = -1;
    /** Not a protocol parameter: left for hooks. */
    private static final int FOR_HOOKS = -2;

    private AnnounceParser() {
    }

    /** What a query parameter is to an announce: one of the fields above, {@link #IGNORED} or {@link #FOR_HOOKS}. */
    private static int field(String name) {
        return switch (name) {
            case "info_hash" -> INFO_HASH;
            case "peer_id" -> PEER_ID;
            case "port" -> PORT;
            case "uploaded" -> UPLOADED;
            case "downloaded" -> DOWNLOADED;
            case "left" -> LEFT;
            case "event" -> EVENT;
            case "numwant" -> NUMWANT;
            case "num_want" -> NUM_WANT;
            case "compact" -> COMPACT;
            case "no_peer_id" -> NO_PEER_ID;
            case "ip" -> IP;
            case "ipv4" -> IPV4;
            case "ipv6" -> IPV6;
            case "key", "corrupt", "supportcrypto", "requirecrypto", "cryptoport", "trackerid", "redundant" -> IGNORED;
            default -> FOR_HOOKS;
        };
    }

    /**
     * @param client the address the tracker already decided on (connection or trusted proxy header)
     */
    static AnnounceRequest announce(QueryString q, IpAddress client, boolean allowIpParam, String bearerToken) throws ClientError {
        // one walk over the query finds each field's first value (one switch per parameter), instead of a search
        // by name per field and a set lookup per parameter for the hooks' share
        int[] at = new int[FIELDS];
        Arrays.fill(at, -1);
        boolean forHooks = false;
        for (int i = 0, n = q.size(); i < n; i++) {
            int f = field(q.name(i));
            if (f >= 0) {
                if (at[f] < 0) {
                    at[f] = i;
                }
            } else if (f == FOR_HOOKS) {
                forHooks = true;
            }
        }
        InfoHash infoHash = InfoHash.of(id(q, at[INFO_HASH], "info_hash"));
        PeerId peerId = PeerId.of(id(q, at[PEER_ID], "peer_id"));
        if (at[PORT] < 0) {
            throw ClientError.badRequest("missing port");
        }
        long port = q.number(at[PORT]);
        if (at[LEFT] < 0) {
            throw ClientError.badRequest("missing left");
        }
        long left = q.number(at[LEFT]);
        long uploaded = at[UPLOADED] < 0 ? 0 : q.number(at[UPLOADED]);
        long downloaded = at[DOWNLOADED] < 0 ? 0 : q.number(at[DOWNLOADED]);
        Event event = at[EVENT] < 0 ? Event.NONE : Event.parse(q.string(at[EVENT]));
        long numWant = numWant(q, at[NUMWANT] >= 0 ? at[NUMWANT] : at[NUM_WANT]);
        boolean compact = at[COMPACT] < 0 || !"0".equals(q.string(at[COMPACT]));
        boolean noPeerId = at[NO_PEER_ID] >= 0 && "1".equals(q.string(at[NO_PEER_ID]));
        IpAddress ip = allowIpParam ? ipParam(q, at, client) : client;
        RequestMeta meta = forHooks ? q.meta(Frontend.HTTP, name -> field(name) != FOR_HOOKS, bearerToken)
                : new RequestMeta(Frontend.HTTP, Map.of(), bearerToken);
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

    private static byte[] id(QueryString q, int at, String name) throws ClientError {
        if (at < 0) {
            throw ClientError.badRequest("missing " + name);
        }
        return twentyBytes(name, q.bytes(at));
    }

    private static byte[] twentyBytes(String name, byte[] b) throws ClientError {
        if (b.length != 20) {
            throw ClientError.badRequest("invalid " + name + ": must be 20 bytes, got " + b.length);
        }
        return b;
    }

    /** numwant (or num_want, which some clients send); -1 when absent (negative values mean the default too). */
    private static long numWant(QueryString q, int at) throws ClientError {
        String s = at < 0 ? null : q.string(at);
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
    private static IpAddress ipParam(QueryString q, int[] at, IpAddress client) throws ClientError {
        for (int field : IP_FIELDS) {
            String s = at[field] < 0 ? null : q.string(at[field]);
            if (s != null && !s.isBlank()) {
                try {
                    return IpAddress.parse(s);
                } catch (IllegalArgumentException e) {
                    throw ClientError.badRequest("invalid " + q.name(at[field]) + ": not an IP address");
                }
            }
        }
        return client;
    }
}
