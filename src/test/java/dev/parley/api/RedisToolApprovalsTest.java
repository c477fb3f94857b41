package dev.parley.api;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link ToolApprovalsTest} with the turns' store in Redis (127.0.0.1:6379): the calls a turn waits for are kept
 * there, and every answer reaches the turn through the signals' channel, as it would from another replica (two
 * replicas: ResumableTurnsAcrossReplicasIT).
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
}
