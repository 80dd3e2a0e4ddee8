package io.swarmgate.bittorrent;

/**
 * A validated announce (BEP 3, 23, 7, 15). {@code peer.ip()} is the address the tracker decided to use (the
 * connection's, a trusted proxy's header, or an allowed ip parameter). {@code numWant} is what the client asked for,
 * -1 when it did not say; the tracker's logic decides how many it gets.
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
        if (uploaded < 0 || downloaded < 0 || left < 0) {
            throw new IllegalArgumentException("uploaded, downloaded and left must be non-negative");
        }
        if (numWant < -1) {
            throw new IllegalArgumentException("numWant must be -1 (not given) or non-negative");
        }
    }

    /** A peer with nothing left to download is a seeder (BEP 3). */
    public boolean isSeeder() {
        return left == 0;
    }

    public AddressFamily family() {
        return peer.family();
    }
}
