package dev.parley.resume;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
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
    TurnJournals turnJournals(StreamsConfig config, Instance<ReactiveRedisDataSource> redis, Vertx vertx,
            MeterRegistry registry) {
        return switch (config.store()) {
            case MEMORY -> {
                MemoryTurnJournals memory = new MemoryTurnJournals(config.retention(), Clock.systemUTC());
                vertx.setPeriodic(SWEEP_MILLIS, id -> memory.sweep());
                // What the memory store holds, so its bound can be watched (Redis has its own tools for that).
                Gauge.builder("parley.streams.kept.turns", memory, kept -> kept.footprint().journals())
                        .description("Resumable turns whose events this replica keeps in memory").register(registry);
                Gauge.builder("parley.streams.kept.bytes", memory, kept -> kept.footprint().frameBytes())
                        .description("Size in UTF-8 of the kept events of resumable turns")
                        .baseUnit("bytes").register(registry);
                yield memory;
            }
            case REDIS -> new RedisTurnJournals(redis.get(), config);
        };
    }

    /**
     * At the application's stop (after the drain, which holds it while resumable turns run here), before Quarkus
     * closes the Redis client: the store stops listening, or the closing client would end its subscription, which it
     * would warn of and make again.
     */
    void stop(@Observes ShutdownEvent event, TurnJournals journals) {
        journals.close();
    }

    /** Also when the container goes without a {@link ShutdownEvent}; closing twice is harmless. */
    void close(@Disposes TurnJournals journals) {
        journals.close();
    }
}
