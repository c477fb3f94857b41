package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The per-caller limits on the Redis store (the server on this machine, 127.0.0.1:6379, reached through a switch
 * that can cut or freeze it), under a key prefix of this run's own: the same behaviour as in memory, the counts in
 * Redis, and a Redis that is down or frozen refuses the request with 503 {@code rate_limits_unavailable} within the
 * timeout, never an unchecked pass.
 */
@QuarkusTest
@TestProfile(RedisCallerRateLimitsTest.OnRedis.class)
class RedisCallerRateLimitsTest extends CallerRateLimitsTest {

    static final String PREFIX = "parley:test:" + UUID.randomUUID() + ":";
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    public static class OnRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(limits());
            config.putAll(Map.of("parley.rate-limits.store", "redis", "parley.rate-limits.redis-key-prefix", PREFIX,
                    "parley.rate-limits.redis-timeout", TIMEOUT.toMillis() + "ms",
                    "quarkus.redis.hosts", "redis://127.0.0.1:" + TcpSwitch.to(6379).port()));
            return config;
        }
    }

    @Inject
    RedisDataSource redis;

    @AfterEach
    void redisBack() {
        TcpSwitch.to(6379).up();
    }

    @Test
    void theCountsLiveInRedisOneKeyPerCallerLimitAndWindow() {
        String caller = TWO_A_MINUTE_IN_REDIS;
        given().header("X-Parley-Caller", caller).contentType("application/json").body("{\"message\":\"Hi\"}")
                .post("/v1/chat").then().statusCode(200);

        assertThat(redis.key().keys(PREFIX + "caller:{" + caller + "}:rpm:*")).singleElement()
                .satisfies(key -> {
                    assertThat(redis.value(Long.class).get(key)).isEqualTo(1);
                    assertThat(redis.key().pttl(key)).isBetween(1L, Duration.ofMinutes(3).toMillis());
                });
    }

    @Test
    void aRedisThatIsDownRefusesTheRequestWith503() {
        TcpSwitch.to(6379).down();
        assertUnavailable(chat(TOKENS_IN_REDIS));
    }

    @Test
    void aFrozenRedisRefusesTheRequestWithinItsTimeout() {
        TcpSwitch.to(6379).freeze();
        long start = System.nanoTime();
        Response refused = chat(TOKENS_IN_REDIS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusSeconds(3));
        assertUnavailable(refused);
    }

    private static Response chat(String caller) {
        return given().header("X-Parley-Caller", caller).contentType("application/json").body("{\"message\":\"Hi\"}")
                .post("/v1/chat/stream");
    }

    private static void assertUnavailable(Response refused) {
        refused.then().statusCode(503).contentType(Problem.MEDIA_TYPE).body("code", equalTo("rate_limits_unavailable"));
        assertThat(refused.header("Retry-After")).isEqualTo("5");
    }
}
