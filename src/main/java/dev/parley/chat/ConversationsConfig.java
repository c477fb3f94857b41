package dev.parley.chat;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Server-side conversations ({@code parley.conversations.*}). */
@ConfigMapping(prefix = "parley.conversations")
public interface ConversationsConfig {

    /**
     * Where conversations live: {@code memory} (this replica only, the default, needs no server) or {@code redis}
     * (shared by every replica; the Redis server is {@code quarkus.redis.hosts}).
     */
    @WithDefault("memory")
    Store store();

    /** Most conversations kept in memory; the least recently used go first. Not used by the Redis store. */
    @WithDefault("10000")
    int maxCount();

    /** A conversation not continued for this long is forgotten. */
    @WithDefault("24h")
    Duration ttl();

    /** Prefix of the Redis keys of conversations, so several deployments can share one Redis. */
    @WithDefault("parley:conv:")
    String redisKeyPrefix();

    /**
     * Longest a call to Redis may take: beyond it (a frozen server, a lost network) the request is answered
     * {@code conversation_store_unavailable} (or the turn {@code conversation_not_saved}) instead of waiting.
     */
    @WithDefault("2s")
    Duration redisTimeout();

    enum Store {
        MEMORY,
        REDIS
    }
}
