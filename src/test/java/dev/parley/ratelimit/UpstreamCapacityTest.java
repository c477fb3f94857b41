package dev.parley.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Rate-limit-aware admission against the simulator's enforced windows, with two upstream keys (the simulator's own
 * and one more it accepts) and the model shared through Redis (the server on this machine, 127.0.0.1:6379, under a
 * prefix of this run's own). Each test limits a model of its own, so that what parley learnt in one cannot reach
 * another.
 */
@QuarkusTest
@TestProfile(UpstreamCapacityTest.TwoKeysOnRedis.class)
class UpstreamCapacityTest {

    static final String FIRST_KEY = "parley-simulator-key";
    static final String SECOND_KEY = "parley-simulator-key-second";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class TwoKeysOnRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.simulator.extra-api-keys", SECOND_KEY,
                    "parley.rate-limits.store", "redis",
                    "parley.rate-limits.redis-key-prefix", "parley:test:" + UUID.randomUUID() + ":");
        }
    }

    @TestHTTPResource("/")
    URI app;

    @Inject
    RedisDataSource redis;

    @ConfigProperty(name = "parley.rate-limits.redis-key-prefix")
    String prefix;

    @AfterEach
    void generousLimitsAgain() {
        given().post(app.resolve("/simulator/admin/reset")).then().statusCode(204);
    }

    @Test
    void picksTheKeyWithRoomWhenTheOtherIsExhausted() {
        String model = "claude-haiku-4-5";
        limit(FIRST_KEY, model, 1, 3600);

        for (int i = 0; i < 3; i++) {
            chat("concise", "[[sim:reply=Served.]]").then().statusCode(200);
        }

        // The first key served once and said it had nothing left; parley sent the rest with the second.
        assertThat(window(FIRST_KEY, model).path("served").asLong()).isEqualTo(1);
        assertThat(window(SECOND_KEY, model).path("served").asLong()).isEqualTo(2);
        assertThat(window(FIRST_KEY, model).path("refused").asLong()).isZero();
        // What parley learnt is in Redis for every replica, until the reset.
        String hash = prefix + "upstream:simulator:" + model;
        assertThat(redis.hash(String.class).hget(hash, "requests-remaining")).isEqualTo("0");
        assertThat(redis.key().pttl(hash)).isGreaterThan(Duration.ofMinutes(59).toMillis());
    }

    @Test
    void waitsForTheResetWhenItComesBeforeTheDeadline() throws Exception {
        String model = "claude-sonnet-4-6";
        limit("*", model, 1, 4);
        chat("default", "[[sim:reply=One.]]").then().statusCode(200);
        chat("default", "[[sim:reply=Two.]]").then().statusCode(200);

        // Both keys are spent until their windows reset, within the test profile's 20 s deadline: the third waits.
        String id = uniqueId();
        CompletableFuture<Response> third = CompletableFuture
                .supplyAsync(() -> chat("default", "[[sim:id=" + id + "]] [[sim:reply=Three, after the reset.]]"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> metrics().contains("parley_upstream_capacity_waiting 1.0"));
        assertThat(simulatorRequests(id)).isZero();

        Response answer = third.get(30, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.jsonPath().getString("text")).isEqualTo("Three, after the reset.");
        assertThat(simulatorRequests(id)).isEqualTo(1);
        // Nothing was sent that the upstream had to refuse.
        assertThat(window(FIRST_KEY, model).path("refused").asLong()).isZero();
        assertThat(window(SECOND_KEY, model).path("refused").asLong()).isZero();
    }

    @Test
    void refusesAtOnceWith429WhenNoKeyHasRoomBeforeTheDeadline() {
        String model = "claude-opus-5-5";
        limit("*", model, 1, 3600);
        chat("thinker", "[[sim:reply=One.]]").then().statusCode(200);
        chat("thinker", "[[sim:reply=Two.]]").then().statusCode(200);

        String id = uniqueId();
        Response refused = chat("thinker", "[[sim:id=" + id + "]] [[sim:reply=Never sent.]]");
        refused.then().statusCode(429).contentType("application/problem+json")
                .body("code", equalTo("upstream_capacity_exhausted"));
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(3500L, 3600L);
        assertThat(simulatorRequests(id)).isZero();

        // The front door answers in Anthropic's shape; a wait that long stops the SDKs' retries.
        String door = uniqueId();
        Response atTheDoor = given().contentType("application/json").header("anthropic-version", "2023-06-01")
                .body(message(model, "[[sim:id=" + door + "]] Hello")).post(app.resolve("/anthropic/v1/messages"));
        atTheDoor.then().statusCode(429).body("type", equalTo("error"))
                .body("error.type", equalTo("rate_limit_error"));
        assertThat(atTheDoor.header("x-should-retry")).isEqualTo("false");
        assertThat(simulatorRequests(door)).isZero();
        assertThat(window(FIRST_KEY, model).path("refused").asLong()).isZero();
        assertThat(window(SECOND_KEY, model).path("refused").asLong()).isZero();

        assertThat(metrics()).contains(
                "parley_upstream_ratelimit_remaining{key=\"simulator-2\",kind=\"requests\"} 0.0");
    }

    @Test
    void anUpstream429ThatReportsItsLimitsHoldsItsKey() {
        String model = "claude-opus-4-6";
        // The first key is spent by someone else: parley has not heard of it, the upstream refuses it.
        limit(FIRST_KEY, model, 0, 3600);

        given().contentType("application/json").header("anthropic-version", "2023-06-01")
                .body(message(model, "Hello")).post(app.resolve("/anthropic/v1/messages"));
        given().contentType("application/json").header("anthropic-version", "2023-06-01")
                .body(message(model, "Hello again")).post(app.resolve("/anthropic/v1/messages")).then()
                .statusCode(200);

        // Refused once, and never asked again: the 429's headers said until when.
        assertThat(window(FIRST_KEY, model).path("refused").asLong()).isEqualTo(1);
        assertThat(window(SECOND_KEY, model).path("served").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anotherReplicasKnowledgeIsSharedThroughRedis() {
        String model = "claude-sonnet-4-5";
        long reset = Instant.now().plusSeconds(120).toEpochMilli();
        // What another replica wrote after both keys' answers said no request is left for two minutes.
        for (String key : new String[]{"simulator", "simulator-2"}) {
            String hash = prefix + "upstream:" + key + ":" + model;
            redis.hash(String.class).hset(hash, Map.of("requests-limit", "50", "requests-remaining", "0",
                    "requests-reset", Long.toString(reset)));
            redis.key().pexpire(hash, Duration.ofMinutes(3));
        }

        String door = uniqueId();
        Response atTheDoor = given().contentType("application/json").header("anthropic-version", "2023-06-01")
                .body(message(model, "[[sim:id=" + door + "]] Hello")).post(app.resolve("/anthropic/v1/messages"));

        atTheDoor.then().statusCode(429).body("error.type", equalTo("rate_limit_error"));
        // Two minutes is too long a wait to advise: the SDKs are told not to retry.
        assertThat(atTheDoor.header("x-should-retry")).isEqualTo("false");
        assertThat(simulatorRequests(door)).isZero();
    }

    private Response chat(String assistant, String message) {
        return given().contentType("application/json")
                .body("{\"message\":" + JSON.valueToTree(message) + ",\"assistant\":\"" + assistant + "\"}")
                .post(app.resolve("/v1/chat"));
    }

    private static String message(String model, String text) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.valueToTree(text) + "}]}";
    }

    private void limit(String apiKey, String model, long requests, long windowSeconds) {
        given().contentType("application/json")
                .body(Map.of("apiKey", apiKey, "model", model, "requests", requests, "windowSeconds", windowSeconds))
                .post(app.resolve("/simulator/admin/rate-limits")).then().statusCode(204);
    }

    private JsonNode window(String apiKey, String model) throws RuntimeException {
        try {
            return JSON.readTree(given().queryParam("apiKey", apiKey).queryParam("model", model)
                    .get(app.resolve("/simulator/admin/rate-limits")).then().statusCode(200).extract().asString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private long simulatorRequests(String id) {
        return given().get(app.resolve("/simulator/admin/counters?id=" + id)).then().statusCode(200).extract()
                .jsonPath().getLong("requests");
    }

    private String metrics() {
        return given().get(app.resolve("/q/metrics")).asString();
    }

    /** Eight random letters: two tokens in the simulator's token model. */
    private static String uniqueId() {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            id.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return id.toString();
    }
}
