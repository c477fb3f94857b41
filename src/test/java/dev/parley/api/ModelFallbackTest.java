package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.Metrics;

/**
 * Parley's own model fallback ({@code fallback-models}), through the chat stream and the simulator: a round its model
 * fails for good before anything of it reached the client goes to the next model of the profile's chain, which the
 * client sees in a {@code retry} event; {@code done} and the metrics name the model that served, and the cost is at
 * its rates (the ledger rows of a fallen-back turn: {@link UsageLedgerContract}). Profiles {@code standby} (Sonnet 4.6 → Haiku 4.5 → Opus 5.5, after the retries),
 * {@code standby-at-once} (Sonnet 4.6 → Haiku 4.5 at once on overload) and {@code thinker-standby} (Opus 5.5 →
 * Sonnet 4.6) are in the test profile's configuration.
 */
@QuarkusTest
class ModelFallbackTest {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
    }

    @Test
    void aModelOverloadedForGoodHandsTheRoundToTheNextModelBeforeTheFirstToken() {
        String id = ChatStreamTest.uniqueId();
        double before = fallbacks("claude-sonnet-4-6", "claude-haiku-4-5", "upstream_overloaded");

        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] "
                + "[[sim:overloaded-on=claude-sonnet-4-6]] [[sim:reply=Served by the standby.]]", "standby"));

        // The profile's model is tried with its retries, then the round goes to Haiku 4.5, which the client is told.
        assertThat(reply.names().subList(0, 3)).containsOnly("retry");
        assertThat(reply.names().subList(3, reply.names().size())).doesNotContain("retry").last().isEqualTo("done");
        List<Frame> retries = reply.events().stream().filter(frame -> frame.event().equals("retry")).toList();
        assertThat(retries).extracting(frame -> frame.data().path("attempt").asInt()).containsExactly(2, 3, 4);
        assertThat(retries).extracting(frame -> frame.data().path("reason").asText()).containsOnly(
                "upstream_overloaded");
        assertThat(retries.get(0).data().has("model")).isFalse();
        assertThat(retries.get(2).data().path("model").asText()).isEqualTo("claude-haiku-4-5");
        assertThat(retries.get(2).data().path("delayMs").asLong()).isZero();
        assertThat(reply.text()).isEqualTo("Served by the standby.");

        JsonNode done = reply.last().data();
        assertThat(done.path("model").asText()).isEqualTo("claude-sonnet-4-6");
        assertThat(done.path("servedModels").toString()).isEqualTo("[\"claude-haiku-4-5\"]");
        assertThat(done.path("rounds").get(0).path("servedBy").toString()).isEqualTo("[\"claude-haiku-4-5\"]");
        // Overloaded attempts bill nothing; the answer is priced at Haiku 4.5's $1 / $5, not at Sonnet 4.6's $3 / $15.
        JsonNode usage = done.path("usage");
        BigDecimal haiku = usd(usage.path("inputTokens").asLong() * 1 + usage.path("outputTokens").asLong() * 5);
        assertThat(ChatStreamTest.usd(done.path("cost").path("totalUsd"))).isEqualByComparingTo(haiku);

        // What parley sent: three calls to Sonnet 4.6, then one to Haiku 4.5 without the API's fallbacks field.
        List<JsonNode> sent = sentRequests(id);
        assertThat(sent).extracting(request -> request.path("body").path("model").asText())
                .containsExactly("claude-sonnet-4-6", "claude-sonnet-4-6", "claude-sonnet-4-6", "claude-haiku-4-5");
        assertThat(sent.getLast().path("body").has("fallbacks")).isFalse();
        assertThat(fallbacks("claude-sonnet-4-6", "claude-haiku-4-5", "upstream_overloaded")).isEqualTo(before + 1);
    }

    @Test
    void aChainThatFailsEverywhereEndsWithTheLastModelsError() {
        String id = ChatStreamTest.uniqueId();
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] "
                + "[[sim:overloaded-on=claude-sonnet-4-6,claude-haiku-4-5]] [[sim:fault=none times=6]] "
                + "[[sim:fault=500 times=always]]", "standby"));

        // Each model of the chain once, each with its retries: 3 + 3 + 3 calls, never a loop back to the first.
        List<JsonNode> sent = sentRequests(id);
        assertThat(sent).extracting(request -> request.path("body").path("model").asText()).containsExactly(
                "claude-sonnet-4-6", "claude-sonnet-4-6", "claude-sonnet-4-6", "claude-haiku-4-5", "claude-haiku-4-5",
                "claude-haiku-4-5", "claude-opus-5-5", "claude-opus-5-5", "claude-opus-5-5");
        List<String> handedTo = reply.events().stream().filter(frame -> frame.event().equals("retry"))
                .filter(frame -> frame.data().has("model")).map(frame -> frame.data().path("model").asText()).toList();
        assertThat(handedTo).containsExactly("claude-haiku-4-5", "claude-opus-5-5");
        // Opus 5.5 failed with a 500: the turn ends with that, the last error, not the first model's overload.
        JsonNode error = reply.last().data();
        assertThat(reply.last().event()).isEqualTo("error");
        assertThat(error.path("error").path("code").asText()).isEqualTo("upstream_error");
        assertThat(reply.text()).isEmpty();
    }

    @Test
    void aRoundThatFailsAfterItsFirstTokenIsNeverHandedOn() {
        String id = ChatStreamTest.uniqueId();
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] [[sim:reply=one two three four]]"
                + " [[sim:fault=error-event after=2 type=overloaded_error]]", "standby"));

        assertThat(reply.names()).doesNotContain("retry");
        assertThat(reply.text()).isNotEmpty();
        assertThat(reply.last().event()).isEqualTo("error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_overloaded");
        assertThat(sentRequests(id)).singleElement()
                .satisfies(request -> assertThat(request.path("body").path("model").asText())
                        .isEqualTo("claude-sonnet-4-6"));
    }

    @Test
    void aProfileThatFallsBackAtOnceDoesNotRetryAnOverloadedModel() {
        String id = ChatStreamTest.uniqueId();
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] [[sim:fault=529]]"
                + " [[sim:reply=At once.]]", "standby-at-once"));

        assertThat(reply.names()).first().isEqualTo("retry");
        assertThat(reply.events().getFirst().data().path("model").asText()).isEqualTo("claude-haiku-4-5");
        assertThat(reply.events().getFirst().data().path("attempt").asInt()).isEqualTo(2);
        assertThat(reply.text()).isEqualTo("At once.");
        assertThat(sentRequests(id)).extracting(request -> request.path("body").path("model").asText())
                .containsExactly("claude-sonnet-4-6", "claude-haiku-4-5");
    }

    @Test
    void aRateLimitIsRetriedButNeverHandedOn() {
        String id = ChatStreamTest.uniqueId();
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] [[sim:fault=429 times=always]]",
                "standby-at-once"));

        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_rate_limited");
        assertThat(sentRequests(id)).extracting(request -> request.path("body").path("model").asText())
                .containsOnly("claude-sonnet-4-6");
    }

    @Test
    void aToolLoopHandedOnMidTurnSendsTheEarlierModelsThinkingNowhereAndPricesEachRoundAtItsModel() {
        String id = ChatStreamTest.uniqueId();
        // Round 1 on Opus 5.5 thinks and calls the tool; round 2's three attempts on Opus 5.5 fail, so Sonnet 4.6
        // answers it.
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] "
                + "[[sim:tool=get_current_time {\"timezone\":\"UTC\"}]] [[sim:thinking=8]] "
                + "[[sim:fault=none]] [[sim:fault=529 times=3]]", "thinker-standby"));

        assertThat(reply.last().event()).isEqualTo("done");
        List<JsonNode> sent = sentRequests(id);
        assertThat(sent).extracting(request -> request.path("body").path("model").asText()).containsExactly(
                "claude-opus-5-5", "claude-opus-5-5", "claude-opus-5-5", "claude-opus-5-5", "claude-sonnet-4-6");
        JsonNode opusRound2 = sent.get(1).path("body");
        assertThat(blockTypes(opusRound2.path("messages").get(1))).contains("thinking", "tool_use");
        assertThat(opusRound2.has("thinking")).isTrue();
        // Sonnet 4.6 gets the same conversation without Opus 5.5's thinking, and no thinking of its own.
        JsonNode sonnet = sent.getLast().path("body");
        assertThat(blockTypes(sonnet.path("messages").get(1))).doesNotContain("thinking", "redacted_thinking")
                .contains("tool_use");
        assertThat(sonnet.has("thinking")).isFalse();
        assertThat(sonnet.path("messages").get(2).path("content").get(0).path("type").asText())
                .isEqualTo("tool_result");

        JsonNode done = reply.last().data();
        assertThat(done.path("servedModels").toString()).isEqualTo("[\"claude-opus-5-5\",\"claude-sonnet-4-6\"]");
        JsonNode rounds = done.path("rounds");
        assertThat(rounds.get(0).path("servedBy").toString()).isEqualTo("[\"claude-opus-5-5\"]");
        assertThat(rounds.get(1).path("servedBy").toString()).isEqualTo("[\"claude-sonnet-4-6\"]");
        BigDecimal opus = price(rounds.get(0).path("usage"), 4, 20);
        BigDecimal sonnetCost = price(rounds.get(1).path("usage"), 3, 15);
        assertThat(ChatStreamTest.usd(rounds.get(0).path("cost").path("totalUsd"))).isEqualByComparingTo(opus);
        assertThat(ChatStreamTest.usd(rounds.get(1).path("cost").path("totalUsd"))).isEqualByComparingTo(sonnetCost);
        assertThat(ChatStreamTest.usd(done.path("cost").path("totalUsd"))).isEqualByComparingTo(opus.add(sonnetCost));

    }

    private List<JsonNode> sentRequests(String id) {
        JsonNode recorded = given().get(app.resolve("/simulator/admin/requests?id=" + id)).then().statusCode(200)
                .extract().as(JsonNode.class);
        List<JsonNode> requests = new ArrayList<>();
        recorded.forEach(requests::add);
        return requests;
    }

    private static List<String> blockTypes(JsonNode message) {
        List<String> types = new ArrayList<>();
        message.path("content").forEach(block -> types.add(block.path("type").asText()));
        return types;
    }

    private double fallbacks(String from, String to, String reason) {
        return Metrics.samples(given().get(app.resolve("/q/metrics")).asString()).getOrDefault(
                "parley_upstream_fallbacks_total{from=\"" + from + "\",reason=\"" + reason + "\",to=\"" + to + "\"}",
                0.0);
    }

    /** Tokens × price per million, in USD. */
    private static BigDecimal price(JsonNode usage, int input, int output) {
        return usd(usage.path("inputTokens").asLong() * input + usage.path("outputTokens").asLong() * output);
    }

    private static BigDecimal usd(long microDollarsTimesMillion) {
        return BigDecimal.valueOf(microDollarsTimesMillion).divide(MILLION, 12, RoundingMode.UNNECESSARY);
    }
}
