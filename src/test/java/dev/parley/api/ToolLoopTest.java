package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static dev.parley.api.SseTestClient.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.chat.NapToolProbe;

/**
 * The agentic loop over real HTTP: the simulator asks for tools, parley runs them and sends the results back, and
 * the client sees every round in one stream. The {@code toolbox} profile offers {@code nap} (a test-only bean),
 * {@code get_stock_price} and {@code calculate}.
 */
@QuarkusTest
class ToolLoopTest {

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;
    private String id;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
        id = uniqueId();
    }

    @Test
    void pricesOfTwoTickersStreamTwoToolCallsTheirResultsAndTheAnswer() {
        StreamReply reply = sse.stream(json(Map.of("message", "What are the current prices of AAPL and NVDA?")));
        assertThat(reply.names()).containsSubsequence("tool_call", "tool_call", "tool_result", "tool_result", "text",
                "done");
        List<Frame> calls = events(reply, "tool_call");
        assertThat(calls).extracting(call -> call.data().path("name").asText()).containsOnly("get_stock_price");
        assertThat(calls).extracting(call -> call.data().path("input").path("ticker").asText())
                .containsExactly("AAPL", "NVDA");
        List<Frame> results = events(reply, "tool_result");
        assertThat(results).allSatisfy(result -> {
            assertThat(result.data().path("isError").asBoolean()).isFalse();
            assertThat(result.data().path("output").asText()).contains("demo");
        });
        assertThat(results).extracting(result -> result.data().path("output").asText())
                .anySatisfy(output -> assertThat(output).contains("178.5"))
                .anySatisfy(output -> assertThat(output).contains("875.3"));
        // Round 2's answer echoes the results it was sent.
        assertThat(reply.text()).contains("178.5").contains("875.3");
        JsonNode done = reply.last().data();
        assertThat(done.path("stopReason").asText()).isEqualTo("end_turn");
        assertThat(done.path("roundCount").asInt()).isEqualTo(2);
    }

    @Test
    void followUpRequestCarriesTheAssistantTurnUnchangedAndTheResultsFirst() {
        StreamReply reply = toolbox("[[sim:tool=calculate {\"expression\":\"2+3\"}]] "
                + "[[sim:tool=get_stock_price {\"ticker\":\"TSLA\"}]]");
        assertThat(reply.last().event()).isEqualTo("done");
        JsonNode requests = recorded();
        assertThat(requests.size()).isEqualTo(2);
        JsonNode messages = requests.get(1).path("body").path("messages");
        JsonNode assistant = messages.get(messages.size() - 2);
        JsonNode results = messages.get(messages.size() - 1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        // Preamble text, then both tool_use blocks, as the model produced them.
        assertThat(assistant.path("content").get(0).path("type").asText()).isEqualTo("text");
        List<String> callIds = new ArrayList<>();
        assistant.path("content").forEach(block -> {
            if (block.path("type").asText().equals("tool_use")) {
                callIds.add(block.path("id").asText());
            }
        });
        assertThat(callIds).hasSize(2);
        assertThat(results.path("role").asText()).isEqualTo("user");
        assertThat(results.path("content")).hasSize(2);
        assertThat(results.path("content").get(0).path("type").asText()).isEqualTo("tool_result");
        assertThat(List.of(results.path("content").get(0).path("tool_use_id").asText(),
                results.path("content").get(1).path("tool_use_id").asText())).isEqualTo(callIds);
        assertThat(results.path("content").get(0).path("content").get(0).path("text").asText()).isEqualTo("5");
    }

    @Test
    void parallelToolsRunAtTheSameTime() {
        StreamReply reply = toolbox("[[sim:tool=nap {\"ms\":600}]] [[sim:tool=nap {\"ms\":600}]] "
                + "[[sim:tool=nap {\"ms\":600}]]");
        List<Frame> calls = events(reply, "tool_call");
        List<Frame> results = events(reply, "tool_result");
        assertThat(results).hasSize(3).allSatisfy(result -> assertThat(result.data().path("durationMs").asLong())
                .isGreaterThanOrEqualTo(600));
        // Three naps of 600 ms, one after the other, would take 1.8 s.
        Duration span = Duration.ofNanos(results.getLast().atNanos() - calls.getFirst().atNanos());
        assertThat(span).isLessThan(Duration.ofMillis(1400));
    }

    @Test
    void sequentialRoundsSumTheirUsage() {
        StreamReply reply = toolbox("[[sim:tool=calculate {\"expression\":\"2+3\"}]] "
                + "[[sim:tool@2=calculate {\"expression\":\"5*4\"}]]");
        JsonNode done = reply.last().data();
        assertThat(done.path("roundCount").asInt()).isEqualTo(3);
        JsonNode rounds = done.path("rounds");
        long input = 0;
        long output = 0;
        for (int i = 0; i < rounds.size(); i++) {
            input += rounds.get(i).path("usage").path("inputTokens").asLong();
            output += rounds.get(i).path("usage").path("outputTokens").asLong();
            // Each round's input is what the simulator counts for the request it received.
            assertThat(rounds.get(i).path("usage").path("inputTokens").asLong())
                    .isEqualTo(countTokens(recorded().get(i).path("body")));
        }
        assertThat(done.path("usage").path("inputTokens").asLong()).isEqualTo(input);
        assertThat(done.path("usage").path("outputTokens").asLong()).isEqualTo(output);
        assertThat(done.path("cost").path("totalUsd").decimalValue()).isEqualByComparingTo(
                rounds.get(0).path("cost").path("totalUsd").decimalValue()
                        .add(rounds.get(1).path("cost").path("totalUsd").decimalValue())
                        .add(rounds.get(2).path("cost").path("totalUsd").decimalValue()));
    }

    @Test
    void aRetriedRoundNeverRunsTheToolsOfAnEarlierRoundAgain() {
        // Call 1 (round 1) goes through; call 2 (round 2) is overloaded once, then retried.
        StreamReply reply = toolbox("[[sim:fault=none]] [[sim:fault=529]] [[sim:tool=nap {\"ms\":50}]]");
        assertThat(reply.names()).containsSubsequence("tool_call", "tool_result", "retry", "text", "done");
        assertThat(reply.names().stream().filter("tool_call"::equals).count()).isEqualTo(1);
        assertThat(reply.names().stream().filter("tool_result"::equals).count()).isEqualTo(1);
        assertThat(sse.simulatorCounter(id, "requests")).isEqualTo(3);
        // The retry sent the same round 2 request: the tool's result, not a new call.
        JsonNode retried = recorded().get(2).path("body").path("messages");
        assertThat(retried.toString()).isEqualTo(recorded().get(1).path("body").path("messages").toString());
        assertThat(reply.last().data().path("roundCount").asInt()).isEqualTo(2);
    }

    @Test
    void failingInvalidAndUnknownToolsBecomeErrorResultsForTheModel() {
        StreamReply reply = toolbox("[[sim:tool=get_stock_price {\"ticker\":\"XYZ\"}]] "
                + "[[sim:tool=get_stock_price {\"symbol\":\"AAPL\"}]] [[sim:tool=launch_rockets {}]]");
        List<Frame> results = events(reply, "tool_result");
        assertThat(results).hasSize(3).allSatisfy(result -> {
            assertThat(result.data().path("isError").asBoolean()).isTrue();
            assertThat(result.data().has("output")).isFalse();
        });
        assertThat(results.get(0).data().path("error").asText()).contains("Unknown ticker");
        assertThat(results.get(1).data().path("error").asText()).contains("get_stock_price");
        assertThat(results.get(2).data().path("error").asText()).contains("launch_rockets");
        assertThat(reply.last().event()).isEqualTo("done");
        // The model was told: the follow-up request marks all three results as errors.
        JsonNode content = last(recorded().get(1).path("body").path("messages")).path("content");
        assertThat(content).hasSize(3).allSatisfy(block -> assertThat(block.path("is_error").asBoolean()).isTrue());
    }

    @Test
    void toolThatOutlivesItsTimeoutIsAnErrorResult() {
        // nap's test timeout is 2 s.
        StreamReply reply = toolbox("[[sim:tool=nap {\"ms\":5000}]]");
        Frame result = events(reply, "tool_result").getFirst();
        assertThat(result.data().path("isError").asBoolean()).isTrue();
        assertThat(result.data().path("error").asText()).contains("timed out");
        assertThat(reply.last().event()).isEqualTo("done");
    }

    @Test
    void maxTokensInsideAToolCallLeavesTheCallUnrun() {
        StreamReply reply = sse.stream(json(Map.of("message", "[[sim:id=" + id + "]] [[sim:preamble=none]] "
                + "[[sim:tool=calculate {\"expression\":\"1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9\"}]]",
                "assistant", "toolbox", "maxTokens", 8)));
        assertThat(reply.names()).containsExactly("done");
        assertThat(reply.last().data().path("stopReason").asText()).isEqualTo("tool_call_incomplete");
        assertThat(sse.simulatorCounter(id, "requests")).isEqualTo(1);
    }

    @Test
    void disconnectDuringARunningToolCancelsIt() {
        int before = NapToolProbe.cancellations();
        sse.streamAndHangUp(json(Map.of("message", "[[sim:id=" + id + "]] [[sim:tool=nap {\"ms\":20000}]]",
                "assistant", "toolbox")), frame -> "tool_call".equals(frame.event()));
        await().atMost(Duration.ofSeconds(2)).until(() -> NapToolProbe.cancellations() > before);
        // No further round was asked for.
        assertThat(sse.simulatorCounter(id, "requests")).isEqualTo(1);
    }

    @Test
    void conversationKeepsTheWholeExchangeAndContinuesFromIt() {
        StreamReply first = sse.stream(json(Map.of("message", "[[sim:tool=calculate {\"expression\":\"6*7\"}]]",
                "assistant", "toolbox", "startConversation", true)));
        String conversation = first.last().data().path("conversationId").asText();
        List<Map<String, Object>> transcript = given().get(app.resolve("/v1/conversations/" + conversation)).then()
                .statusCode(200).extract().jsonPath().getList("messages");
        assertThat(transcript).hasSize(4);
        assertThat(transcript.get(1).get("toolCalls")).asList().hasSize(1);
        assertThat(transcript.get(2).get("toolResults")).asList().hasSize(1);
        // The stored exchange is valid to send back: the simulator validates tool pairing like the real API.
        StreamReply second = sse.stream(json(Map.of("message", "And now? [[sim:reply=Forty-two.]]",
                "conversationId", conversation)));
        assertThat(second.names()).last().isEqualTo("done");
    }

    private StreamReply toolbox(String directives) {
        return sse.stream(json(Map.of("message", "[[sim:id=" + id + "]] " + directives, "assistant", "toolbox")));
    }

    private JsonNode recorded() {
        return sse.getJson("/simulator/admin/requests?id=" + id);
    }

    private long countTokens(JsonNode request) {
        ObjectNode body = request.deepCopy();
        body.remove("max_tokens");
        body.remove("stream");
        return given().header("x-api-key", "parley-simulator-key").header("anthropic-version", "2023-06-01")
                .contentType("application/json").body(body.toString())
                .post(app.resolve("/simulator/v1/messages/count_tokens")).then().statusCode(200).extract()
                .jsonPath().getLong("input_tokens");
    }

    private static List<Frame> events(StreamReply reply, String name) {
        return reply.events().stream().filter(frame -> frame.event().equals(name)).toList();
    }

    private static JsonNode last(JsonNode array) {
        return array.get(array.size() - 1);
    }
}
