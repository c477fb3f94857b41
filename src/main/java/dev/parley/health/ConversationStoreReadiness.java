package dev.parley.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

import dev.parley.chat.ConversationsConfig;

/**
 * Readiness check {@code conversations}: with the Redis store, DOWN unless Redis answers {@code PING} within
 * {@code parley.health.timeout}, as no conversation can be read or continued without it. The memory store is always
 * UP. (The Redis extension's own check is off: it would ping Redis even when the memory store needs none.)
 */
@Readiness
@ApplicationScoped
class ConversationStoreReadiness implements AsyncHealthCheck {

    private final HealthConfig config;
    private final ConversationsConfig.Store store;
    private final Instance<ReactiveRedisDataSource> redis;

    ConversationStoreReadiness(HealthConfig config, ConversationsConfig conversations,
            Instance<ReactiveRedisDataSource> redis) {
        this.config = config;
        this.store = conversations.store();
        this.redis = redis;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (store == ConversationsConfig.Store.MEMORY) {
            return Uni.createFrom().item(HealthCheckResponse.named("conversations").up().withData("store", "memory")
                    .build());
        }
        return redis.get().execute("PING")
                .ifNoItem().after(config.timeout()).fail()
                .map(pong -> true)
                .onFailure().recoverWithItem(failure -> {
                    Log.debugf("Redis does not answer: %s", failure.getMessage());
                    return false;
                })
                .map(answers -> HealthCheckResponse.named("conversations").status(answers)
                        .withData("store", "redis")
                        .withData("redis", answers ? "up" : "down")
                        .build());
    }
}
