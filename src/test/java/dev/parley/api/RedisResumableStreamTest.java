package dev.parley.api;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link ResumableStreamTest} with the events kept in Redis (127.0.0.1:6379) rather than in memory: the same
 * behaviour through the HTTP API, from the store every replica shares (two replicas: ResumableTurnsAcrossReplicasIT).
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
}
