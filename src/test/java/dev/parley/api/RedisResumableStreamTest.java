package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.resume.ResumableTurns;
import dev.parley.resume.StreamsConfig;

/**
 * {@link ResumableStreamTest} with the events kept in Redis (127.0.0.1:6379) rather than in memory: the same
 * behaviour through the HTTP API, from the store every replica shares (two replicas: ResumableTurnsAcrossReplicasIT);
 * and a stop whose signal this replica missed is found in the store once it hears it again.
 */
@QuarkusTest
@TestProfile(RedisResumableStreamTest.InRedis.class)
class RedisResumableStreamTest extends ResumableStreamTest {

    /** The same short grace and bounds, in Redis under a key prefix of its own. */
    public static class InRedis extends ShortGrace {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("parley.streams.store", "redis");
            overrides.put("parley.streams.redis-key-prefix", "parley:test:" + UUID.randomUUID() + ":");
            overrides.put("quarkus.redis.hosts", "redis://127.0.0.1:6379");
            return overrides;
        }
    }

    @Inject
    ResumableTurns turns;

    @Inject
    StreamsConfig streams;

    @Inject
    RedisDataSource redis;

    @Test
    void aTurnRunningHereIsStoppedHereEvenWhileThisReplicasLeaseHasLapsed() throws Exception {
        SseTestClient client = new SseTestClient(base, Map.of("X-Parley-Caller", "lapsed-" + UUID.randomUUID()));
        LongTurn turn = LongTurn.start(client);

        // As after a pause longer than the lease: to the other replicas the turn is lost; this one still runs it.
        redis.key().keys(streams.redisKeyPrefix() + "replica:*").forEach(lease -> redis.key().del(lease));
        assertThat(client.stop(turn.turnId())).isEqualTo(204);

        StreamReply stopped = turn.live().get(10, TimeUnit.SECONDS);
        assertThat(stopped.last().data().path("error").path("code").asText()).isEqualTo("turn_stopped");
    }

    @Test
    void aStopWhoseSignalThisReplicaMissedIsFoundOnceItHearsTheStoreAgain() throws Exception {
        SseTestClient client = new SseTestClient(base, Map.of("X-Parley-Caller", "deaf-" + UUID.randomUUID()));
        LongTurn turn = LongTurn.start(client);

        // What a stop asked of another replica leaves in the store when its message does not reach this one.
        redis.execute("HSET", streams.redisKeyPrefix() + "{" + turn.turnId() + "}:meta", "stopAsked", "1");
        // What the store tells this replica once its subscription hears again after a deaf spell.
        turns.mayHaveMissed();

        StreamReply stopped = turn.live().get(10, TimeUnit.SECONDS);
        assertThat(stopped.last().event()).isEqualTo("error");
        assertThat(stopped.last().data().path("error").path("code").asText()).isEqualTo("turn_stopped");
    }

    /** A resumable turn of 10 s (2,000 tokens 5 ms apart), streaming, once its first text arrived. */
    private record LongTurn(String turnId, CompletableFuture<StreamReply> live) {

        static LongTurn start(SseTestClient client) throws Exception {
            CompletableFuture<String> turnIdSeen = new CompletableFuture<>();
            CompletableFuture<Void> textSeen = new CompletableFuture<>();
            CompletableFuture<StreamReply> live = CompletableFuture.supplyAsync(() -> client.stream(SseTestClient
                    .json(Map.of("message", "[[sim:tokens=2000]] [[sim:delay=5ms]] Tell me a story", "maxTokens",
                            1000, "resumable", true)),
                    frame -> {
                        if ("start".equals(frame.event())) {
                            turnIdSeen.complete(frame.data().path("turnId").asText());
                        } else if ("text".equals(frame.event())) {
                            textSeen.complete(null);
                        }
                        return false;
                    }));
            String turnId = turnIdSeen.get(30, TimeUnit.SECONDS);
            textSeen.get(30, TimeUnit.SECONDS);
            return new LongTurn(turnId, live);
        }
    }
}
