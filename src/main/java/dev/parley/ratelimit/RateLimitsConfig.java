package dev.parley.ratelimit;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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

    enum Store {
        MEMORY,
        REDIS
    }
}
