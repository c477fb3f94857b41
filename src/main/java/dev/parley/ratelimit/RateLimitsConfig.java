package dev.parley.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Where the state of parley's rate limits lives ({@code parley.rate-limits.*}): the per-caller request and token limits,
 * and what parley has learnt of the upstream keys' own limits from their {@code anthropic-ratelimit-*} headers. One
 * switch for both, so a deployment is either one replica keeping them in memory or many sharing them in Redis.
 */
@ConfigMapping(prefix = "parley.rate-limits")
public interface RateLimitsConfig {

    /**
     * {@code memory} (this replica only, the default, needs no server) or {@code redis} (shared by every replica; the
     * server is {@code quarkus.redis.hosts}, as for conversations).
     */
    @WithDefault("memory")
    Store store();

    /** Prefix of the Redis keys of the limits, so several deployments can share one Redis. */
    @WithDefault("parley:rate-limits:")
    String redisKeyPrefix();

    /**
     * Longest a call to Redis may take: beyond it (a frozen server, a lost network) the request is answered 503
     * rather than left waiting.
     */
    @WithDefault("1s")
    Duration redisTimeout();

    /**
     * Limits of named callers ({@code parley.rate-limits.callers.<caller>.*}); a caller named here has these and not
     * the defaults.
     */
    Map<String, CallerQuota> callers();

    /** Limits of every caller not named under {@code callers} ({@code parley.rate-limits.default.*}); none if unset. */
    @WithName("default")
    Optional<CallerQuota> defaults();

    /** One caller's limits; each is unlimited when unset, and must be positive when set. */
    interface CallerQuota {

        /** Requests admitted per minute (a fixed window from the start of each UTC minute). */
        OptionalLong requestsPerMinute();

        /** Input and output tokens per minute (a fixed window from the start of each UTC minute). */
        OptionalLong tokensPerMinute();

        /** Input and output tokens per UTC day. */
        OptionalLong tokensPerDay();
    }

    enum Store {
        MEMORY,
        REDIS
    }
}
