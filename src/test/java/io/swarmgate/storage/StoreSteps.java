package io.swarmgate.storage;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.PeerSink;

/** Announces that only change a swarm (they want no peers), for tests that set a swarm up. */
public final class StoreSteps {
    private static final PeerSink DISCARD = (family, hi, lo, port, id0, id1, id2) -> {
    };

    private StoreSteps() {
    }

    /** Stores or refreshes the peer, as a seeder or a leecher. */
    public static AnnounceResult put(PeerStore store, InfoHash t, Peer p, boolean seeder) {
        return store.announce(t, p, Event.NONE, seeder, 0, PeerPreference.NONE, DISCARD);
    }

    public static AnnounceResult stop(PeerStore store, InfoHash t, Peer p) {
        return store.announce(t, p, Event.STOPPED, false, 50, PeerPreference.NONE, DISCARD);
    }

    public static AnnounceResult complete(PeerStore store, InfoHash t, Peer p) {
        return store.announce(t, p, Event.COMPLETED, true, 0, PeerPreference.NONE, DISCARD);
    }
}
