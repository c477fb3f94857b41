package dev.parley.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;

/**
 * The one {@link ConversationStore} of the application, chosen at run time by {@code parley.conversations.store}, so
 * one build serves both. The Redis client is looked up only for the Redis store: with the memory store no Redis
 * server is needed, not even reachable.
 */
@Singleton
class ConversationStores {

    @Produces
    @ApplicationScoped
    ConversationStore conversationStore(ConversationsConfig config, ObjectMapper json,
            Instance<ReactiveRedisDataSource> redis) {
        return switch (config.store()) {
            case MEMORY -> new InMemoryConversationStore(config);
            case REDIS -> new RedisConversationStore(redis.get(), json, config);
        };
    }
}
