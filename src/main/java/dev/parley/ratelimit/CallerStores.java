package dev.parley.ratelimit;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;

/**
 * The one {@link CallerStore} of the application, chosen at run time by {@code parley.rate-limits.store}. The Redis
 * client is looked up only for the Redis store: with the memory store no Redis server is needed.
 */
@Singleton
class CallerStores {

    @Produces
    @ApplicationScoped
    CallerStore callerStore(RateLimitsConfig config, Instance<ReactiveRedisDataSource> redis) {
        return switch (config.store()) {
            case MEMORY -> new CallerMemoryStore(Clock.systemUTC());
            case REDIS -> new CallerRedisStore(redis.get(), config.redisTimeout());
        };
    }
}
