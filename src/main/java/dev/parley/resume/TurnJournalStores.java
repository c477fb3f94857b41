package dev.parley.resume;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.vertx.core.Vertx;

/**
 * The one {@link TurnJournals} of the application, chosen at run time by {@code parley.streams.store}. The Redis
 * client is looked up only for the Redis store: with the memory store no Redis server is needed.
 */
@Singleton
class TurnJournalStores {

    /** How often the memory store drops expired journals when no new turn does it. */
    private static final long SWEEP_MILLIS = 10_000;

    @Produces
    @ApplicationScoped
    TurnJournals turnJournals(StreamsConfig config, Instance<ReactiveRedisDataSource> redis, Vertx vertx) {
        return switch (config.store()) {
            case MEMORY -> {
                MemoryTurnJournals memory = new MemoryTurnJournals(config.retention(), Clock.systemUTC());
                vertx.setPeriodic(SWEEP_MILLIS, id -> memory.sweep());
                yield memory;
            }
            case REDIS -> new RedisTurnJournals(redis.get(), config);
        };
    }

    /** The Redis store stops listening first, or it would subscribe again to a client that is closing. */
    void close(@Disposes TurnJournals journals) {
        if (journals instanceof RedisTurnJournals redis) {
            redis.close();
        }
    }
}
