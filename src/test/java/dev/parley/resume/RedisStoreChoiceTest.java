package dev.parley.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code parley.streams.store=redis} alone (conversations and rate limits in memory) activates the Redis client, and
 * the application's journals are kept in Redis under {@code parley.streams.redis-key-prefix}.
 */
@QuarkusTest
@TestProfile(RedisStoreChoiceTest.StreamsOnRedis.class)
class RedisStoreChoiceTest {

    static final String PREFIX = "parley:test:" + UUID.randomUUID() + ":";

    public static class StreamsOnRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.conversations.store", "memory", "parley.rate-limits.store", "memory",
                    "parley.streams.store", "redis", "parley.streams.redis-key-prefix", PREFIX);
        }
    }

    @Inject
    TurnJournals journals;

    @Inject
    RedisDataSource redis;

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Test
    void theJournalsOfTheApplicationAreKeptInRedis() {
        String turnId = "turn_" + UUID.randomUUID();
        journals.open(turnId, "alice", Instant.now().plusSeconds(60)).await().atMost(Duration.ofSeconds(10));
        journals.append(turnId, new JournalBatch(1, 1, "id: 1\nevent: start\ndata: {}\n\n", false)).await()
                .atMost(Duration.ofSeconds(10));

        assertThat(redis.key().keys(PREFIX + "{" + turnId + "}*")).containsExactlyInAnyOrder(
                PREFIX + "{" + turnId + "}:meta", PREFIX + "{" + turnId + "}:events");
        // The replica's lease, which says its turns are not lost.
        assertThat(redis.key().keys(PREFIX + "replica:*")).isNotEmpty()
                .allSatisfy(lease -> assertThat(redis.key().pttl(lease)).isPositive());
        assertThat(journals.state(turnId).await().atMost(Duration.ofSeconds(10))).get()
                .extracting(JournalState::lastId).isEqualTo(1L);
    }

    @Test
    void aStopAskedOfTheApplicationsStoreIsHeardByAnotherReplica() {
        RedisTurnJournals replica = new RedisTurnJournals(reactiveRedis, PREFIX, Duration.ofMinutes(5),
                Duration.ofSeconds(2), Clock.systemUTC());
        Set<String> stopAsked = ConcurrentHashMap.newKeySet();
        replica.listen(new TurnJournals.Signals() {
            @Override
            public void appended(String turnId) {
            }

            @Override
            public void stopAsked(String turnId) {
                stopAsked.add(turnId);
            }
        });
        try {
            String turnId = "turn_" + UUID.randomUUID();
            // The replica's subscription may not be made yet: asked again until it is heard.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                journals.askStop(turnId).await().atMost(Duration.ofSeconds(10));
                return stopAsked.contains(turnId);
            });
        } finally {
            replica.close();
        }
    }
}
