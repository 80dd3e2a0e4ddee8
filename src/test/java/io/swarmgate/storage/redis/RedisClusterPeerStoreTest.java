package io.swarmgate.storage.redis;

import io.swarmgate.testing.RedisServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same suite against a three-master Redis Cluster: no command may cross slots. */
class RedisClusterPeerStoreTest extends RedisPeerStoreTest {
    static RedisServers cluster;

    @BeforeAll
    static void startRedis() {
        cluster = RedisServers.cluster();
    }

    @AfterAll
    static void stopRedis() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    RedisServers servers() {
        return cluster;
    }
}
