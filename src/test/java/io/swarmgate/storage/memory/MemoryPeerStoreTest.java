package io.swarmgate.storage.memory;

import io.swarmgate.storage.MutableClock;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.PeerStoreContract;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

class MemoryPeerStoreTest extends PeerStoreContract {

    @Override
    protected PeerStore newStore(Duration peerLifetime, MutableClock clock) {
        return new MemoryPeerStore(peerLifetime, clock, ThreadLocalRandom::current);
    }
}
