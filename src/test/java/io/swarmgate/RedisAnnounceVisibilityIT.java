package io.swarmgate;

import io.swarmgate.testing.RedisServers;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link AnnounceVisibilityIT} on a real redis-server: over UDP the announce goes through the asynchronous
 * store step (answered by the pipeline's reply reader), over HTTP through the blocking one; both must show the
 * announcer's new state to the very next request.
 */
class RedisAnnounceVisibilityIT extends AnnounceVisibilityIT {
    private RedisServers redis;

    @Override
    String storage() {
        redis = RedisServers.single();
        return """
                storage:
                  type: redis
                  redis: {uri: "%s"}
                """.formatted(redis.uri());
    }

    @AfterAll
    @Override
    void stop() {
        super.stop();
        redis.close();
    }
}
