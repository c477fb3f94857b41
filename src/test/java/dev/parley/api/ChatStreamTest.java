package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.Metrics;

/** {@code POST /v1/chat/stream} end to end, against the simulator as upstream. */
@QuarkusTest
class ChatStreamTest {

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
    }

    @Test
    void streamsNamedTextEventsThenOneDone() {
        StreamReply reply = sse.stream(body("Hi [[sim:reply=Hello there, friend.]]"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).startsWith("text/event-stream");
        assertThat(reply.header("cache-control")).isEqualTo("no-cache");
        assertThat(reply.header("x-accel-buffering")).isEqualTo("no");
        assertThat(reply.header("x-request-id")).isNotBlank();
        List<Frame> events = reply.events();
        assertThat(reply.names()).last().isEqualTo("done");
        assertThat(reply.names().subList(0, events.size() - 1)).isNotEmpty().containsOnly("text");
        // id 1 is the start event, with the turn's id.
        assertThat(reply.start().id()).isEqualTo("1");
        assertThat(reply.start().data().path("turnId").asText()).isEqualTo(reply.header("x-turn-id"));
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).id()).isEqualTo(Integer.toString(i + 2));
            assertThat(events.get(i).data().path("type").asText()).isEqualTo(events.get(i).event());
        }
        assertThat(reply.text()).isEqualTo("Hello there, friend.");
        JsonNode done = reply.last().data();
        assertThat(done.path("stopReason").asText()).isEqualTo("end_turn");
        assertThat(done.path("model").asText()).isEqualTo("claude-sonnet-4-6");
        assertThat(done.path("timings").path("totalMs").isIntegralNumber()).isTrue();
        assertThat(done.has("conversationId")).isFalse();
    }

    @Test
    void firstTokenReachesTheClientLongBeforeTheReplyEnds() {
        long start = System.nanoTime();
        StreamReply reply = sse.stream(body("[[sim:tokens=6]] [[sim:delay=150ms]]"));
        List<Frame> events = reply.events();
        assertThat(events.getFirst().event()).isEqualTo("text");
        // The simulator's timers put done at least 5 × 150 ms after the start; the first token must not wait for it.
        Duration firstText = Duration.ofNanos(events.getFirst().atNanos() - start);
        Duration done = Duration.ofNanos(reply.last().atNanos() - start);
        assertThat(done).isGreaterThanOrEqualTo(Duration.ofMillis(750));
        assertThat(firstText).isLessThan(done.minusMillis(300));
        assertThat(reply.last().data().path("timings").path("timeToFirstTokenMs").asLong()).isLessThan(500);
    }

    @Test
    void upstreamReceivesTheProfilesPromptModelAndLimitsAndTheHistory() {
        String id = uniqueId();
        String history = "[{\"role\":\"user\",\"content\":\"Earlier question\"},"
                + "{\"role\":\"assistant\",\"content\":\"Earlier answer\"}]";
        sse.stream("{\"message\":\"Now this [[sim:id=" + id + "]]\",\"assistant\":\"concise\",\"maxTokens\":300,"
                + "\"history\":" + history + "}");

        JsonNode received = given().get(app.resolve("/simulator/admin/requests?id=" + id)).then().statusCode(200)
                .extract().as(JsonNode.class).get(0);
        JsonNode upstream = received.path("body");
        assertThat(upstream.path("model").asText()).isEqualTo("claude-haiku-4-5");
        assertThat(upstream.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(upstream.path("stream").asBoolean()).isTrue();
        assertThat(upstream.path("system").toString())
                .isEqualTo("[{\"type\":\"text\",\"text\":\"Answer in at most three sentences.\"}]");
        assertThat(upstream.path("messages").toString()).isEqualTo("["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Earlier question\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Earlier answer\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Now this [[sim:id=" + id
                + "]]\"}]}]");
        assertThat(received.path("headers").path("x-api-key").asText()).isEqualTo("(present)");
        assertThat(received.path("headers").path("anthropic-version").asText()).isEqualTo("2023-06-01");
        assertThat(received.path("headers").path("accept").asText()).contains("text/event-stream");
    }

    @Test
    void usageAndCostAreExact() {
        // Token model (README): 4 per request, 12 for "You are a helpful engineering assistant.", 3 for the message,
        // 11 for "[[sim:reply=Done.]]" → 30 input; "Done." is 2 output tokens.
        // Sonnet 4.6 at $3 / $15 per million: 30 × 3 + 2 × 15 = 120 millionths of a dollar.
        StreamReply reply = sse.stream(body("[[sim:reply=Done.]]", "plain"));
        JsonNode done = reply.last().data();
        assertUsage(done.path("usage"), 30, 2, 0, 0, 0);
        assertThat(usd(done.path("cost").path("totalUsd"))).isEqualByComparingTo("0.00012");
        assertThat(usd(done.path("cost").path("inputUsd"))).isEqualByComparingTo("0.00009");
        assertThat(usd(done.path("cost").path("outputUsd"))).isEqualByComparingTo("0.00003");
        // On the wire: a plain JSON number, never 1.2E-4.
        assertThat(reply.body()).contains("\"totalUsd\":0.00012,");
    }

    @Test
    void fiveMinuteCacheWritesAndReadsArePricedAtTheirRates() {
        // Breakpoint after "You are a cached test assistant." (10 tokens) at 4 + 10 = 14. The first request forces a
        // miss with [[sim:cache=cold]] (10 tokens), so it writes whatever ran before; 3 + 12 + 11 + 10 = 36 input.
        JsonNode first = sse.stream(body("[[sim:cache-min=1]][[sim:cache=cold]][[sim:reply=Done.]]", "cached5m"))
                .last().data();
        assertUsage(first.path("usage"), 36, 2, 0, 14, 0);
        // 36 × 3 + 14 × 3.75 + 2 × 15 = 190.5 millionths
        assertThat(usd(first.path("cost").path("totalUsd"))).isEqualByComparingTo("0.0001905");
        assertThat(usd(first.path("cost").path("cacheWrite5mUsd"))).isEqualByComparingTo("0.0000525");

        // "[[sim:cache-min=1]][[sim:reply=Done.]]" is 23 tokens, plus 3: 26 uncached input tokens.
        JsonNode second = sse.stream(body("[[sim:cache-min=1]][[sim:reply=Done.]]", "cached5m")).last().data();
        assertUsage(second.path("usage"), 26, 2, 14, 0, 0);
        // 26 × 3 + 14 × 0.30 + 2 × 15 = 112.2 millionths
        assertThat(usd(second.path("cost").path("totalUsd"))).isEqualByComparingTo("0.0001122");
        assertThat(usd(second.path("cost").path("cacheReadUsd"))).isEqualByComparingTo("0.0000042");
    }

    @Test
    void oneHourCacheWritesArePricedAtTwiceTheInputRate() {
        // "You are an hourly cached test assistant." is 12 tokens: breakpoint at 16; 36 uncached input tokens.
        JsonNode first = sse.stream(body("[[sim:cache-min=1]][[sim:cache=cold]][[sim:reply=Done.]]", "cached1h"))
                .last().data();
        assertUsage(first.path("usage"), 36, 2, 0, 0, 16);
        // 36 × 3 + 16 × 6 + 2 × 15 = 234 millionths
        assertThat(usd(first.path("cost").path("totalUsd"))).isEqualByComparingTo("0.000234");
        assertThat(usd(first.path("cost").path("cacheWrite1hUsd"))).isEqualByComparingTo("0.000096");
    }

    @Test
    void modelWithoutAPriceHasAnUnknownCostNotAGuess() {
        JsonNode done = sse.stream(body("[[sim:reply=Done.]]", "unpriced")).last().data();
        assertThat(done.path("usage").path("outputTokens").asLong()).isEqualTo(2);
        assertThat(done.has("cost")).isTrue();
        assertThat(done.path("cost").isNull()).isTrue();
    }

    @Test
    void heartbeatCommentsFillSilences() {
        StreamReply reply = sse.stream(body("[[sim:tokens=2]] [[sim:delay=1000ms]]"));
        long pings = reply.frames().stream().filter(Frame::isComment).count();
        assertThat(reply.frames().stream().filter(Frame::isComment).map(Frame::comment)).containsOnly(": ping");
        // Heartbeat interval in tests: 300 ms; one silence of a second.
        assertThat(pings).isBetween(2L, 4L);
        assertThat(reply.body()).contains("\n: ping\n\n");
    }

    @Test
    void turnsOneAfterAnotherReuseTheirUpstreamConnection() {
        double before = connectionsOpened();
        for (int turn = 0; turn < 5; turn++) {
            assertThat(sse.stream(body("[[sim:tokens=3]]")).last().event()).isEqualTo("done");
        }
        // Over one client connection the turns run on one event loop, whose pool keeps the upstream connection of a
        // finished stream: at most the first turn opens one.
        assertThat(connectionsOpened() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void clientDisconnectCancelsTheUpstreamWithinASecond() {
        String id = uniqueId();
        List<Frame> partial = sse.streamAndHangUp(
                body("[[sim:id=" + id + "]] [[sim:tokens=200]] [[sim:delay=50ms]]"),
                frame -> "text".equals(frame.event()));
        assertThat(partial).filteredOn(frame -> !frame.isComment()).extracting(Frame::event)
                .containsExactly("start", "text");
        await().atMost(Duration.ofSeconds(1)).until(() -> sse.simulatorCounter(id, "streamsAbandoned") == 1);
        assertThat(sse.simulatorCounter(id, "streamsCompleted")).isZero();
        // The partial usage of the cancelled turn is counted.
        await().atMost(Duration.ofSeconds(5)).until(() -> given().get(app.resolve("/q/metrics")).asString()
                .contains(
                        "parley_chat_requests_total{gen_ai_request_model=\"claude-sonnet-4-6\",outcome=\"client_cancelled\"}"));
    }

    @Test
    void upstreamErrorAfterTextEndsWithAnErrorEventCarryingPartialUsage() {
        StreamReply reply = sse.stream(body("[[sim:tokens=10]] [[sim:fault=error-event after=3 type=api_error]]"));
        assertThat(reply.names()).containsExactly("text", "text", "text", "error");
        JsonNode error = reply.last().data();
        assertThat(error.path("error").path("code").asText()).isEqualTo("upstream_error");
        assertThat(error.path("error").path("message").asText()).doesNotContain("api_error");
        assertThat(error.path("error").path("retryable").asBoolean()).isTrue();
        assertThat(error.path("usage").path("inputTokens").asLong()).isPositive();
        assertThat(error.path("usage").path("outputTokens").asLong()).isPositive();
        assertThat(error.path("cost").path("totalUsd").decimalValue()).isPositive();
    }

    @Test
    void upstreamConnectionCutMidStreamIsReportedAsInterrupted() {
        StreamReply reply = sse.stream(body("[[sim:tokens=10]] [[sim:fault=drop after=2]]"));
        assertThat(reply.names()).containsExactly("text", "text", "error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_interrupted");
    }

    @Test
    void upstreamRejectionsMapToStableCodesWithoutUpstreamDetails() {
        assertUpstreamError("[[sim:fault=400 message=secret_upstream_detail]]", "upstream_rejected", false);
        assertUpstreamError("[[sim:fault=401]]", "upstream_auth", false);
        assertUpstreamError("[[sim:fault=403]]", "upstream_auth", false);
        assertUpstreamError("[[sim:fault=404]]", "upstream_rejected", false);
    }

    private void assertUpstreamError(String directive, String code, boolean retryable) {
        StreamReply reply = sse.stream(body(directive));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.names()).containsExactly("error");
        JsonNode error = reply.last().data().path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("retryable").asBoolean()).isEqualTo(retryable);
        assertThat(reply.body()).doesNotContain("secret").doesNotContain("parley-simulator-key");
    }

    static void assertUsage(JsonNode usage, long input, long output, long cacheRead, long write5m, long write1h) {
        assertThat(usage.path("inputTokens").asLong()).as("inputTokens in %s", usage).isEqualTo(input);
        assertThat(usage.path("outputTokens").asLong()).as("outputTokens in %s", usage).isEqualTo(output);
        assertThat(usage.path("cacheReadInputTokens").asLong()).as("cache read in %s", usage).isEqualTo(cacheRead);
        assertThat(usage.path("cacheWrite5mInputTokens").asLong()).as("5m in %s", usage).isEqualTo(write5m);
        assertThat(usage.path("cacheWrite1hInputTokens").asLong()).as("1h in %s", usage).isEqualTo(write1h);
        assertThat(usage.path("cacheCreationInputTokens").asLong()).isEqualTo(write5m + write1h);
    }

    static BigDecimal usd(JsonNode amount) {
        assertThat(amount.isNumber()).as("%s is a JSON number", amount).isTrue();
        return amount.decimalValue();
    }

    static String body(String message) {
        return "{\"message\":" + SseTestClient.JSON.valueToTree(message) + "}";
    }

    static String body(String message, String assistant) {
        return "{\"message\":" + SseTestClient.JSON.valueToTree(message) + ",\"assistant\":\"" + assistant + "\"}";
    }

    /** Eight random letters: exactly two tokens in the simulator's token model, so usage stays predictable. */
    static String uniqueId() {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            id.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return id.toString();
    }

    private double connectionsOpened() {
        Double opened = Metrics.samples(given().get(app.resolve("/q/metrics")).asString())
                .get("parley_upstream_connections_opened_total");
        assertThat(opened).as("parley_upstream_connections_opened_total in /q/metrics").isNotNull();
        return opened;
    }
}
