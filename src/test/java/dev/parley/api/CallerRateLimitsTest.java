package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.parley.harness.Metrics;

/**
 * Per-caller rate limits through the API, each test its own caller (behind a gateway) with limits of its own: a
 * request over the requests per minute, or whose token bound does not fit beside what running turns hold, is refused
 * with 429 {@code caller_rate_limited}, {@code Retry-After} and the {@code RateLimit} headers; a turn's hold settles
 * to its real usage; a later round that no longer fits ends the stream.
 */
@QuarkusTest
@TestProfile(CallerRateLimitsTest.Limited.class)
public class CallerRateLimitsTest {

    static final String TWO_A_MINUTE = "rpm-" + UUID.randomUUID();
    static final String TOKENS = "tpd-" + UUID.randomUUID();
    static final String TOOL_LOOP = "loop-" + UUID.randomUUID();
    static final String UNLIMITED = "free-" + UUID.randomUUID();
    /** Callers only the Redis twin uses, for what only Redis has. */
    static final String TWO_A_MINUTE_IN_REDIS = "rpm-redis-" + UUID.randomUUID();
    static final String TOKENS_IN_REDIS = "tpd-redis-" + UUID.randomUUID();
    static final String DOOR_ONE_A_MINUTE = "door-rpm-" + UUID.randomUUID();
    static final String DOOR_TOKENS = "door-tpd-" + UUID.randomUUID();
    static final long TOKENS_A_DAY = 6000;
    static final long LOOP_TOKENS_A_DAY = 6000;

    private static final Pattern STATE = Pattern.compile("\"(\\w+)\";r=(\\d+);t=(\\d+)");

    /** A few callers with limits of their own; everyone else has none. */
    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return limits();
        }
    }

    /** The callers' limits, shared by the profiles of this class and its twins on other stores. */
    static Map<String, String> limits() {
        Map<String, String> limits = new HashMap<>(Map.of("parley.auth.mode", "gateway",
                "parley.rate-limits.callers.\"" + TWO_A_MINUTE + "\".requests-per-minute", "2",
                "parley.rate-limits.callers.\"" + TOKENS + "\".tokens-per-day", Long.toString(TOKENS_A_DAY),
                "parley.rate-limits.callers.\"" + TOOL_LOOP + "\".tokens-per-day",
                Long.toString(LOOP_TOKENS_A_DAY),
                "parley.rate-limits.callers.\"" + TWO_A_MINUTE_IN_REDIS + "\".requests-per-minute", "2",
                "parley.rate-limits.callers.\"" + TOKENS_IN_REDIS + "\".tokens-per-day",
                Long.toString(TOKENS_A_DAY),
                "parley.rate-limits.callers.\"" + DOOR_ONE_A_MINUTE + "\".requests-per-minute", "1",
                "parley.rate-limits.callers.\"" + DOOR_TOKENS + "\".tokens-per-day", Long.toString(TOKENS_A_DAY)));
        // A turn is kept running by a 1.5 s time to first token: the test profile's 1.5 s idle and 2 s first-content
        // limits would race it (a cut attempt is retried, and its usage counted too).
        limits.put("parley.anthropic.first-content-timeout", "10s");
        limits.put("parley.anthropic.idle-timeout", "10s");
        return limits;
    }

    @TestHTTPResource("/")
    URI app;

    @Test
    void theThirdRequestInAMinuteIsRefusedUntilTheMinuteEnds() {
        awaitRoomInTheMinute();
        for (int i = 1; i <= 2; i++) {
            Response admitted = chat(TWO_A_MINUTE, "{\"message\":\"Hi\"}");
            admitted.then().statusCode(200);
            assertThat(admitted.header("RateLimit-Policy")).isEqualTo("\"rpm\";q=2;w=60");
            assertThat(remaining(admitted.header("RateLimit"), "rpm")).isEqualTo(2 - i);
        }
        String id = ChatStreamTest.uniqueId();
        Response refused = given().header("X-Parley-Caller", TWO_A_MINUTE).contentType("application/json")
                .body("{\"message\":\"[[sim:id=" + id + "]] Hi\"}").post("/v1/chat/stream");

        refused.then().statusCode(429).contentType(Problem.MEDIA_TYPE).body("code", equalTo("caller_rate_limited"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"rpm\";q=2;w=60");
        assertThat(refused.header("RateLimit")).matches("\"rpm\";r=0;t=\\d+");
        assertThat(new SseTestClient(app, Map.of()).simulatorCounter(id, "requests")).isZero();
        assertThat(metric("parley_chat_rejections_total", "reason=\"caller_rate_limited\"")).isPositive();
        assertThat(metric("parley_rate_limits_caller_refusals_total", "limit=\"rpm\"")).isPositive();
    }

    @Test
    void aTurnHoldsItsTokenBoundUntilItEndsAndThenCountsItsRealUsage() {
        SseTestClient sse = new SseTestClient(app, Map.of("X-Parley-Caller", TOKENS));
        String id = ChatStreamTest.uniqueId();
        String body = "{\"message\":\"[[sim:id=" + id + "]] [[sim:ttft=1500ms]] [[sim:tokens=40]] Hi\","
                + "\"maxTokens\":3000}";
        CompletableFuture<SseTestClient.StreamReply> running = CompletableFuture.supplyAsync(() -> sse.stream(body));
        await().atMost(Duration.ofSeconds(10)).until(() -> sse.simulatorCounter(id, "requests") == 1);

        // While it runs, its bound (the request's JSON length and 3000 tokens of output) fills most of the day.
        long untilMidnight = secondsUntilMidnight();
        Response refused = chat(TOKENS, body);
        refused.then().statusCode(429).contentType(Problem.MEDIA_TYPE).body("code", equalTo("caller_rate_limited"));
        // Retry-After is rounded up to a whole second; the window ends at midnight UTC.
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(untilMidnight - 2, untilMidnight + 1);
        assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"tpd\";q=" + TOKENS_A_DAY + ";w=86400");
        assertThat(sse.simulatorCounter(id, "requests")).isEqualTo(1);

        SseTestClient.StreamReply first = running.join();
        assertThat(first.last().event()).isEqualTo("done");
        long bound = TOKENS_A_DAY - remaining(first.response().headers().firstValue("RateLimit").orElseThrow(), "tpd");
        assertThat(remaining(refused.header("RateLimit"), "tpd")).isEqualTo(TOKENS_A_DAY - bound);
        JsonNode usage = first.last().data().path("usage");
        long used = usage.path("inputTokens").asLong() + usage.path("cacheReadInputTokens").asLong()
                + usage.path("cacheCreationInputTokens").asLong() + usage.path("outputTokens").asLong();
        assertThat(usage.path("outputTokens").asLong()).isEqualTo(40);
        assertThat(bound).isGreaterThan(3000 + used);

        // Settled: the same request again finds the first one's real usage, and its own bound, counted.
        SseTestClient.StreamReply second = sse.stream(body);
        assertThat(second.last().event()).isEqualTo("done");
        assertThat(remaining(second.response().headers().firstValue("RateLimit").orElseThrow(), "tpd"))
                .isEqualTo(TOKENS_A_DAY - used - bound);
    }

    @Test
    void aLaterRoundThatNoLongerFitsEndsTheStreamWithCallerRateLimited() {
        SseTestClient sse = new SseTestClient(app, Map.of("X-Parley-Caller", TOOL_LOOP));
        StringBuilder rounds = new StringBuilder();
        for (int round = 1; round <= 9; round++) {
            rounds.append("[[sim:tool@").append(round).append("=calculate {\\\"expression\\\":\\\"").append(round)
                    .append("+1\\\"}]] ");
        }
        SseTestClient.StreamReply reply = sse.stream("{\"message\":\"" + rounds + "Count\",\"maxTokens\":1500}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.names()).contains("tool_call", "tool_result");
        assertThat(reply.last().event()).isEqualTo("error");
        JsonNode error = reply.last().data().path("error");
        assertThat(error.path("code").asText()).isEqualTo("caller_rate_limited");
        assertThat(error.path("retryAfterSeconds").asLong()).isPositive();
        assertThat(metric("parley_rate_limits_caller_refusals_total", "limit=\"tpd\"")).isPositive();
    }

    @Test
    void aCallerWithoutLimitsGetsNoRateLimitHeaders() {
        Response answer = chat(UNLIMITED, "{\"message\":\"Hi\"}");
        answer.then().statusCode(200);
        assertThat(answer.header("RateLimit-Policy")).isNull();
        assertThat(answer.header("RateLimit")).isNull();
    }

    @Test
    void theFrontDoorRefusesInAnthropicsShapeWithRetryAfterWhileTheMinuteIsFull() {
        awaitRoomInTheMinute();
        Response admitted = door(DOOR_ONE_A_MINUTE, 32);
        assertThat(admitted.statusCode()).as(admitted.asString()).isEqualTo(200);
        assertThat(admitted.header("RateLimit-Policy")).isEqualTo("\"rpm\";q=1;w=60");
        assertThat(admitted.header("RateLimit")).matches("\"rpm\";r=0;t=\\d+");

        Response refused = door(DOOR_ONE_A_MINUTE, 32);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.jsonPath().getString("type")).isEqualTo("error");
        assertThat(refused.jsonPath().getString("error.type")).isEqualTo("rate_limit_error");
        assertThat(refused.jsonPath().getString("error.message")).contains("rpm");
        assertThat(Long.parseLong(refused.header("retry-after"))).isBetween(1L, 60L);
        assertThat(refused.header("x-should-retry")).isNull();
        assertThat(refused.header("RateLimit")).matches("\"rpm\";r=0;t=\\d+");
    }

    @Test
    void theFrontDoorSettlesAMessageToItsUsageAndStopsRetriesOfOneLargerThanTheLimit() {
        Response first = door(DOOR_TOKENS, 32);
        assertThat(first.statusCode()).as(first.asString()).isEqualTo(200);
        long bound = TOKENS_A_DAY - remaining(first.header("RateLimit"), "tpd");
        long used = first.jsonPath().getLong("usage.input_tokens") + first.jsonPath().getLong("usage.output_tokens")
                + first.jsonPath().getLong("usage.cache_read_input_tokens")
                + first.jsonPath().getLong("usage.cache_creation_input_tokens");
        assertThat(bound).isGreaterThan(used);

        Response second = door(DOOR_TOKENS, 32);
        assertThat(remaining(second.header("RateLimit"), "tpd")).isEqualTo(TOKENS_A_DAY - used - bound);

        Response tooLarge = door(DOOR_TOKENS, (int) TOKENS_A_DAY + 1);
        assertThat(tooLarge.statusCode()).isEqualTo(429);
        assertThat(tooLarge.jsonPath().getString("error.type")).isEqualTo("rate_limit_error");
        assertThat(tooLarge.header("x-should-retry")).isEqualTo("false");
        assertThat(tooLarge.header("retry-after")).isNull();
    }

    private static Response door(String caller, int maxTokens) {
        return given().header("X-Parley-Caller", caller).header("anthropic-version", "2023-06-01")
                .contentType("application/json")
                .body("{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":" + maxTokens
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi [[sim:tokens=5]]\"}]}")
                .post("/anthropic/v1/messages");
    }

    private static Response chat(String caller, String body) {
        return given().header("X-Parley-Caller", caller).contentType("application/json").body(body)
                .post("/v1/chat");
    }

    /** The {@code r} of one policy in a {@code RateLimit} field. */
    static long remaining(String field, String policy) {
        Matcher member = STATE.matcher(field);
        while (member.find()) {
            if (member.group(1).equals(policy)) {
                return Long.parseLong(member.group(2));
            }
        }
        throw new AssertionError("no " + policy + " in " + field);
    }

    /** A test of the minute's window starts early enough in a minute not to see it end halfway. */
    private static void awaitRoomInTheMinute() {
        await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().getEpochSecond() % 60 < 50);
    }

    private static long secondsUntilMidnight() {
        return Duration.between(Instant.now(),
                LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()).toSeconds();
    }

    private static double metric(String name, String label) {
        return Metrics.samples(given().get("/q/metrics").then().statusCode(200).extract().asString()).entrySet()
                .stream().filter(sample -> sample.getKey().startsWith(name + "{") && sample.getKey().contains(label))
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
