package io.swarmgate.hook;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.PeerPreference;

import java.util.Map;
import java.util.Objects;

/**
 * One announce travelling through the chain: the immutable request, and what prehooks may adjust before the
 * store is asked (intervals, peer preference). Posthooks also see the response, and what prehooks learnt about
 * the announcer ({@link #verifiedClaims()}). Used by one thread at a time: an asynchronous announce hands it
 * from the frontend's thread to the one completing the store step, through the step's future.
 */
public final class AnnounceContext {
    private final AnnounceRequest request;
    private int interval;
    private int minInterval;
    private PeerPreference preference = PeerPreference.NONE;
    private AnnounceResponse response;
    private Map<String, Object> verifiedClaims = Map.of();

    public AnnounceContext(AnnounceRequest request, int interval, int minInterval) {
        this.request = Objects.requireNonNull(request);
        this.interval = interval;
        this.minInterval = minInterval;
    }

    public AnnounceRequest request() {
        return request;
    }

    /** Seconds until the client should announce again. */
    public int interval() {
        return interval;
    }

    public void interval(int seconds) {
        this.interval = seconds;
    }

    public int minInterval() {
        return minInterval;
    }

    public void minInterval(int seconds) {
        this.minInterval = seconds;
    }

    public PeerPreference preference() {
        return preference;
    }

    public void preference(PeerPreference preference) {
        this.preference = Objects.requireNonNull(preference);
    }

    /** Set once the response was filled; null in prehooks. */
    public AnnounceResponse response() {
        return response;
    }

    public void response(AnnounceResponse response) {
        this.response = response;
    }

    /**
     * The claims of a token that a prehook verified for this announce (the jwt hook sets them once the
     * signature, issuer, audience and times checked out), or empty: the only statement about who announced
     * that later hooks may trust. A token that was merely present names no one.
     */
    public Map<String, Object> verifiedClaims() {
        return verifiedClaims;
    }

    public void verifiedClaims(Map<String, Object> claims) {
        this.verifiedClaims = Map.copyOf(claims);
    }
}
