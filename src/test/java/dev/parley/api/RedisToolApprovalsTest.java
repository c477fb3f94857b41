package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.redis.client.Response;

import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.resume.ResumableTurns;
import dev.parley.resume.StreamsConfig;

/**
 * {@link ToolApprovalsTest} with the turns' store in Redis (127.0.0.1:6379): the calls a turn waits for are kept
 * there, and every answer reaches the turn through the signals' channel, as it would from another replica (two
 * replicas: ResumableTurnsAcrossReplicasIT); and an answer whose signal this replica missed is found in the store
 * once it hears it again.
 */
@QuarkusTest
@TestProfile(RedisToolApprovalsTest.InRedis.class)
class RedisToolApprovalsTest extends ToolApprovalsTest {

    /** The same tools and timeout, the store in Redis under a key prefix of its own. */
    public static class InRedis extends CalculateNeedsApproval {
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
    void anAnswerWhoseSignalThisReplicaMissedIsFoundOnceItHearsTheStoreAgain() {
        StreamReply reply = calculating("6*7", (turnId, asked) -> {
            String approvals = streams.redisKeyPrefix() + "{" + turnId + "}:approvals";
            String call = "c:" + asked.path("callId").asText();
            // Once the wait is recorded, what an answer given to another replica leaves in the store when its message
            // does not reach this one.
            await().atMost(Duration.ofSeconds(2)).until(() -> {
                Response state = redis.execute("HGET", approvals, call);
                return state != null && "w".equals(state.toString());
            });
            redis.execute("HSET", approvals, call, "y");
            // What the store tells this replica once its subscription hears again after a deaf spell.
            turns.mayHaveMissed();
            return true;
        });

        assertThat(event(reply, "tool_result").data().path("output").asText()).isEqualTo("42");
    }
}
