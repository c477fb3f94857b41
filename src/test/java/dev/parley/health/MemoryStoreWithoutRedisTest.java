package dev.parley.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.arc.InjectableInstance;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The default memory store needs no Redis: with nothing at {@code quarkus.redis.hosts}, parley starts and serves, and
 * the Redis client is not even created (it cost the start-up time for nothing).
 */
@QuarkusTest
@TestProfile(MemoryStoreWithoutRedisTest.NoRedis.class)
class MemoryStoreWithoutRedisTest {

    public static class NoRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.conversations.store", "memory",
                    "quarkus.redis.hosts", "redis://127.0.0.1:" + ClosedPort.pick());
        }
    }

    @Inject
    InjectableInstance<ReactiveRedisDataSource> redis;

    @Test
    void theRedisClientIsInactive() {
        assertThat(redis.getHandle().getBean().checkActive().value()).isFalse();
    }

    @Test
    void isReadyAndKeepsConversationsWithoutRedis() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'conversations' }.data.store", equalTo("memory"));
        String conversation = given().contentType("application/json")
                .body("{\"message\":\"[[sim:reply=Noted.]]\",\"startConversation\":true}").post("/v1/chat").then()
                .statusCode(200).body("conversationId", startsWith("conv_")).extract().path("conversationId");
        given().get("/v1/conversations/" + conversation).then().statusCode(200)
                .body("messages[1].text", equalTo("Noted."));
    }
}
