package io.swarmgate.hook.ratelimit;

import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.config.RateLimitConfig;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;

import java.time.InstantSource;

/**
 * {@code tracker.rate-limit}: refuses announces beyond the configured rate from one address with the failure
 * reason {@code rate limited} (HTTP) or that error packet (UDP), counted under
 * {@code swarmgate_requests_seconds{result="rate_limited"}}. It runs before every configured prehook, so a
 * refused announce costs no token verification. The address is the one the tracker decided the peer has.
 */
public final class RateLimitHook implements Hook {
    /** Addresses tracked at once; 2^18 slots of 24 bytes = 6 MiB. */
    public static final int SLOTS = 1 << 18;
    static final String REASON = "rate limited";

    private final RateLimiter limiter;

    public RateLimitHook(RateLimitConfig config, InstantSource clock) {
        this.limiter = new RateLimiter(config.announcesPerMinute(), config.burst(), SLOTS, clock);
    }

    @Override
    public void announce(AnnounceContext ctx) throws ClientError {
        if (!limiter.tryAcquire(ctx.request().peer().ip())) {
            throw new ClientError(ClientError.Kind.RATE_LIMITED, REASON);
        }
    }
}
