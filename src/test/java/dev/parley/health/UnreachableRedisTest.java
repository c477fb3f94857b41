package dev.parley.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The Redis store with Redis down, and an upstream nobody answers for: the replica is not ready (no conversation can
 * be read, and reading one is answered 503), yet alive, and the upstream's state is only reported.
 */
@QuarkusTest
@TestProfile(UnreachableRedisTest.NothingListening.class)
class UnreachableRedisTest {

    public static class NothingListening implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.conversations.store", "redis",
                    "quarkus.redis.hosts", "redis://127.0.0.1:" + ClosedPort.pick(),
                    "parley.anthropic.base-url", "http://127.0.0.1:" + ClosedPort.pick());
        }
    }

    @Test
    void isNotReadyWithoutRedis() {
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'conversations' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'conversations' }.data.redis", equalTo("down"))
                .body("checks.find { it.name == 'ledger' }.status", equalTo("UP"));
    }

    @Test
    void conversationsAreATypedRetryable503WhileRedisRefusesConnections() {
        given().header("X-Request-Id", "no-redis-get").get("/v1/conversations/conv_none").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "5")
                .header("X-Request-Id", "no-redis-get")
                .body("code", equalTo("conversation_store_unavailable"));
        given().delete("/v1/conversations/conv_none").then().statusCode(503)
                .body("code", equalTo("conversation_store_unavailable"));
    }

    @Test
    void staysAliveWithoutRedisOrUpstream() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void reportsTheUnreachableUpstreamWithoutGoingDown() {
        given().get("/q/health/well").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("upstream"))
                .body("checks.find { it.name == 'upstream' }.data.upstream", equalTo("unreachable"));
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'upstream' }", org.hamcrest.Matchers.nullValue());
    }
}
