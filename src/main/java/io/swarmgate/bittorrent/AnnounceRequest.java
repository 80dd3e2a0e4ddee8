package io.swarmgate.bittorrent;

/**
 * A validated announce (BEP 3, 23, 7, 15). {@code peer.ip()} is the address the tracker decided to use (the
 * connection's, a trusted proxy's header, or an allowed ip parameter). {@code numWant} is what the client asked for,
 * -1 when it did not say; the tracker's logic decides how many it gets.
 *
 * <p>{@link #of} is the one place that decides whether what a client sent is a valid announce, whichever
 * frontend decoded it: frontends hand it the fields as their wire carried them and only check what their wire
 * itself imposes (a parameter that is not a number, a packet too short).
 */
public record AnnounceRequest(
        InfoHash infoHash,
        Peer peer,
        long uploaded,
        long downloaded,
        long left,
        Event event,
        int numWant,
        boolean compact,
        boolean noPeerId,
        RequestMeta meta) {

    public AnnounceRequest {
        String invalid = invalidCount(left, uploaded, downloaded);
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        if (numWant < -1) {
            throw new IllegalArgumentException("numWant must be -1 (not given) or non-negative");
        }
    }

    /**
     * An announce from what a client sent.
     *
     * @param port    as sent; a peer nobody can connect to (0, or beyond 16 bits) is refused
     * @param numWant as sent; any negative value asks for the tracker's default, values beyond an int are capped
     * @throws ClientError naming the first field that is not valid
     */
    public static AnnounceRequest of(InfoHash infoHash, PeerId peerId, IpAddress ip, long port, long uploaded,
                                     long downloaded, long left, Event event, long numWant, boolean compact,
                                     boolean noPeerId, RequestMeta meta) throws ClientError {
        if (port < 1 || port > 65535) {
            throw ClientError.badRequest("invalid port: must be 1-65535");
        }
        String invalid = invalidCount(left, uploaded, downloaded);
        if (invalid != null) {
            throw ClientError.badRequest(invalid);
        }
        int wanted = numWant < 0 ? -1 : (int) Math.min(numWant, Integer.MAX_VALUE);
        return new AnnounceRequest(infoHash, new Peer(peerId, ip, (int) port), uploaded, downloaded, left, event,
                wanted, compact, noPeerId, meta);
    }

    /** The byte counts' rule, for the factory's client error and the constructor's invariant alike. */
    private static String invalidCount(long left, long uploaded, long downloaded) {
        if (left < 0) {
            return "invalid left: must not be negative";
        }
        if (uploaded < 0) {
            return "invalid uploaded: must not be negative";
        }
        if (downloaded < 0) {
            return "invalid downloaded: must not be negative";
        }
        return null;
    }

    /** A peer with nothing left to download is a seeder (BEP 3). */
    public boolean isSeeder() {
        return left == 0;
    }

    public AddressFamily family() {
        return peer.family();
    }
}
