package dev.parley.simulator;

import static dev.parley.simulator.SimulatorHttp.names;
import static dev.parley.simulator.SimulatorHttp.request;
import static dev.parley.simulator.SimulatorHttp.streaming;
import static dev.parley.simulator.SimulatorHttp.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.simulator.SimulatorHttp.Reply;
import dev.parley.simulator.SimulatorHttp.SseEvent;

/** The streaming contract of §2 of the protocol reference, checked on the wire. */
@QuarkusTest
class SimulatorStreamingTest {

    private static final String MODEL = "claude-sonnet-4-6";

    @TestHTTPResource("/simulator")
    URI simulator;

    private SimulatorHttp http;

    @BeforeEach
    void client() {
        http = new SimulatorHttp(simulator);
    }

    @Test
    void textStreamFollowsTheDocumentedFraming() {
        Reply reply = http.post("/v1/messages",
                streaming(request(MODEL, 100, "Hello [[sim:reply=Hi there! How can I help?]]")));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).isEqualTo("text/event-stream; charset=utf-8");
        assertThat(reply.header("cache-control")).isEqualTo("no-cache");
        assertThat(reply.header("request-id")).matches("req_011C[0-9A-Za-z]{20}");
        assertThat(reply.header("anthropic-organization-id")).isNotBlank();
        assertThat(reply.header("anthropic-ratelimit-requests-limit")).isNotBlank();
        assertThat(reply.header("anthropic-ratelimit-input-tokens-remaining")).matches("\\d+000");
        assertThat(reply.body()).doesNotContain("\r").doesNotContain("[DONE]");

        List<SseEvent> events = reply.events();
        for (SseEvent event : events) {
            assertThat(event.data().path("type").asText()).as(event.raw()).isEqualTo(event.event());
        }
        assertThat(names(events)).startsWith("message_start", "content_block_start", "ping", "content_block_delta")
                .endsWith("content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(events.stream().filter(e -> e.event().equals("ping")).map(SseEvent::raw))
                .containsExactly("event: ping\ndata: {\"type\": \"ping\"}\n");

        JsonNode message = events.get(0).data().path("message");
        assertThat(message.path("id").asText()).matches("msg_01[0-9A-Za-z]{22}");
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(message.path("model").asText()).isEqualTo(MODEL);
        assertThat(message.path("content").isArray() && message.path("content").isEmpty()).isTrue();
        assertThat(message.path("stop_reason").isNull()).isTrue();
        assertThat(message.path("usage").path("output_tokens").asLong()).isBetween(1L, 5L);
        assertThat(events.get(1).data().path("content_block").toString())
                .isEqualTo("{\"type\":\"text\",\"text\":\"\"}");

        assertThat(text(events)).isEqualTo("Hi there! How can I help?");
        JsonNode delta = events.get(events.size() - 2).data();
        assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(delta.path("delta").path("stop_sequence").isNull()).isTrue();
    }

    @Test
    void usageIsCumulativeAndCountsWhatWasGenerated() {
        List<SseEvent> events = http.stream(streaming(request(MODEL, 100, "Hi [[sim:tokens=7]]")));
        JsonNode start = events.get(0).data().path("message").path("usage");
        JsonNode end = last(events, "message_delta").data().path("usage");
        long deltas = events.stream().filter(e -> e.event().equals("content_block_delta")).count();

        assertThat(deltas).isEqualTo(7);
        assertThat(end.path("output_tokens").asLong()).isEqualTo(7);
        assertThat(end.path("input_tokens").asLong()).isEqualTo(start.path("input_tokens").asLong());
        assertThat(end.path("cache_creation_input_tokens").asLong()).isZero();
        assertThat(end.path("cache_read_input_tokens").asLong()).isZero();
        assertThat(start.path("cache_creation").path("ephemeral_5m_input_tokens").asLong()).isZero();
        assertThat(start.path("service_tier").asText()).isEqualTo("standard");
    }

    @Test
    void inputTokensFollowTheDocumentedTokenModel() {
        // README's token model: 4 per request + 3 per message + the text's tokens.
        // "Hi" is 1 token: 4 + 3 + 1 = 8. "Hello world" is "Hell" "o" " worl" "d": 4 + 3 + 4 = 11.
        assertThat(inputTokens("Hi")).isEqualTo(8);
        assertThat(inputTokens("Hello world")).isEqualTo(11);
        ObjectNode withSystem = request(MODEL, 10, "Hi");
        withSystem.put("system", "Be brief.");
        // "Be" " bri" "ef" "." are 4 more.
        assertThat(nonStreaming(withSystem).path("usage").path("input_tokens").asLong()).isEqualTo(12);
    }

    @Test
    void legacyUsageFormSendsOnlyOutputTokensInMessageDelta() {
        List<SseEvent> events = http.stream(streaming(request(MODEL, 100, "Hi [[sim:tokens=3]] [[sim:usage=legacy]]")));
        assertThat(last(events, "message_delta").data().path("usage").toString()).isEqualTo("{\"output_tokens\":3}");
    }

    @Test
    void toolUseStreamsInputAsSeveralJsonFragmentsStartingEmpty() {
        ObjectNode body = withWeatherTool(request(MODEL, 200,
                "Weather? [[sim:tool=get_weather {\"city\": \"Oslo\", \"unit\": \"celsius\"}]]"));
        List<SseEvent> events = http.stream(streaming(body));

        SseEvent toolStart = events.stream().filter(e -> e.event().equals("content_block_start")
                && e.data().path("content_block").path("type").asText().equals("tool_use")).findFirst().orElseThrow();
        int index = toolStart.data().path("index").asInt();
        JsonNode block = toolStart.data().path("content_block");
        assertThat(block.path("id").asText()).matches("toolu_01[0-9A-Za-z]{22}");
        assertThat(block.path("name").asText()).isEqualTo("get_weather");
        assertThat(block.path("input").toString()).isEqualTo("{}");

        List<String> fragments = events.stream()
                .filter(e -> e.event().equals("content_block_delta") && e.data().path("index").asInt() == index)
                .map(e -> {
                    assertThat(e.data().path("delta").path("type").asText()).isEqualTo("input_json_delta");
                    return e.data().path("delta").path("partial_json").asText();
                }).toList();
        assertThat(fragments.getFirst()).isEmpty();
        assertThat(fragments.size()).isGreaterThan(2);
        assertThat(parse(String.join("", fragments)).toString()).isEqualTo("{\"city\":\"Oslo\",\"unit\":\"celsius\"}");
        assertThat(last(events, "message_delta").data().path("delta").path("stop_reason").asText())
                .isEqualTo("tool_use");
        // A short text block ("I'll use get_weather.") precedes the call, as real replies often do.
        assertThat(events.get(1).data().path("content_block").path("type").asText()).isEqualTo("text");
    }

    @Test
    void parallelToolCallsComeAsSeparateBlocksInOneReply() {
        ObjectNode body = withWeatherTool(request(MODEL, 300, "[[sim:preamble=none]] "
                + "[[sim:tool=get_weather {\"city\":\"Oslo\"}]] [[sim:tool=get_weather {\"city\":\"Rome\"}]]"));
        JsonNode message = nonStreaming(body);
        JsonNode content = message.path("content");
        assertThat(content.size()).isEqualTo(2);
        assertThat(content.get(0).path("input").path("city").asText()).isEqualTo("Oslo");
        assertThat(content.get(1).path("input").path("city").asText()).isEqualTo("Rome");
        assertThat(content.get(0).path("id").asText()).isNotEqualTo(content.get(1).path("id").asText());
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void toolInputIsMadeUpFromTheSchemaWhenTheDirectiveGivesNone() {
        JsonNode message = nonStreaming(withWeatherTool(request(MODEL, 300, "[[sim:tool=get_weather]]")));
        assertThat(message.path("content").get(1).path("input").toString()).isEqualTo("{\"city\":\"example\"}");
    }

    @Test
    void laterRoundsFollowTheirOwnDirectivesAndEchoToolResults() {
        ObjectNode body = withWeatherTool(request(MODEL, 300,
                "[[sim:tool=get_weather {\"city\":\"Oslo\"}]] [[sim:tool@2=get_weather {\"city\":\"Rome\"}]]"));
        JsonNode round1 = nonStreaming(body);
        appendToolRound(body, round1, "12 degrees");
        JsonNode round2 = nonStreaming(body);
        assertThat(round2.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(round2.path("content").get(1).path("input").path("city").asText()).isEqualTo("Rome");
        appendToolRound(body, round2, "18 degrees");
        JsonNode round3 = nonStreaming(body);
        assertThat(round3.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(round3.path("content").get(0).path("text").asText()).contains("18 degrees");
    }

    @Test
    void maxTokensCutsTextAndReportsMaxTokens() {
        List<SseEvent> events = http.stream(streaming(request(MODEL, 5, "Hi [[sim:tokens=50]]")));
        assertThat(events.stream().filter(e -> e.event().equals("content_block_delta")).count()).isEqualTo(5);
        JsonNode delta = last(events, "message_delta").data();
        assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(delta.path("usage").path("output_tokens").asLong()).isEqualTo(5);
    }

    @Test
    void maxTokensInsideAToolCallLeavesTheInputIncomplete() {
        ObjectNode body = withWeatherTool(request(MODEL, 12, "[[sim:preamble=none]] "
                + "[[sim:tool=get_weather {\"city\": \"Oslo\", \"unit\": \"celsius\", \"note\": \"a long value\"}]]"));
        List<SseEvent> events = http.stream(streaming(body));
        String json = String.join("", events.stream().filter(e -> e.event().equals("content_block_delta"))
                .map(e -> e.data().path("delta").path("partial_json").asText()).toList());
        assertThat(json).startsWith("{\"city\":\"Oslo\"").doesNotEndWith("}");
        assertThat(names(events)).endsWith("content_block_stop", "message_delta", "message_stop");
        assertThat(last(events, "message_delta").data().path("delta").path("stop_reason").asText())
                .isEqualTo("max_tokens");
    }

    @Test
    void stopSequenceEndsTheReplyBeforeTheSequence() {
        ObjectNode body = request(MODEL, 100, "[[sim:reply=one two STOP three]]");
        body.putArray("stop_sequences").add("STOP");
        JsonNode message = nonStreaming(body);
        assertThat(message.path("content").get(0).path("text").asText()).isEqualTo("one two ");
        assertThat(message.path("stop_reason").asText()).isEqualTo("stop_sequence");
        assertThat(message.path("stop_sequence").asText()).isEqualTo("STOP");
    }

    @Test
    void thinkingBlockPrecedesTheAnswerWithDeltasThenSignature() {
        ObjectNode body = request(MODEL, 2048, "Think [[sim:reply=Answer.]]");
        body.putObject("thinking").put("type", "enabled").put("budget_tokens", 1024);
        List<SseEvent> events = http.stream(streaming(body));
        assertThat(events.get(1).data().path("content_block").toString())
                .isEqualTo("{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}");
        List<String> block0 = events.stream().filter(e -> e.event().equals("content_block_delta")
                && e.data().path("index").asInt() == 0).map(e -> e.data().path("delta").path("type").asText())
                .toList();
        assertThat(block0.getLast()).isEqualTo("signature_delta");
        assertThat(block0.subList(0, block0.size() - 1)).isNotEmpty().containsOnly("thinking_delta");
        assertThat(events.stream().filter(e -> e.event().equals("content_block_start")).map(e -> e.data()
                .path("content_block").path("type").asText())).containsExactly("thinking", "text");
        assertThat(text(events)).isEqualTo("Answer.");
        JsonNode usage = last(events, "message_delta").data().path("usage");
        // "Answer." is "Answ" "er" ".": three tokens on top of the thinking.
        assertThat(usage.path("output_tokens").asLong())
                .isEqualTo(usage.path("output_tokens_details").path("thinking_tokens").asLong() + 3);
    }

    @Test
    void thinkingPassedBackModifiedIsRejected() {
        ObjectNode body = request(MODEL, 2048, "Think [[sim:reply=Answer.]]");
        body.putObject("thinking").put("type", "enabled").put("budget_tokens", 1024);
        JsonNode first = nonStreaming(body);
        ObjectNode tampered = first.path("content").get(0).deepCopy();
        tampered.put("thinking", tampered.path("thinking").asText() + " (edited)");
        body.withArray("messages").addObject().put("role", "assistant").putArray("content").add(tampered);
        body.withArray("messages").addObject().put("role", "user").put("content", "And?");
        Reply reply = http.post("/v1/messages", body);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().path("error").path("message").asText())
                .isEqualTo("messages.1.content.0: Invalid `signature` in `thinking` block");
    }

    @Test
    void maxTokensZeroRunsPrefillOnly() {
        JsonNode message = nonStreaming(request(MODEL, 0, "Hi"));
        assertThat(message.path("content").isEmpty()).isTrue();
        assertThat(message.path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(message.path("usage").path("output_tokens").asLong()).isZero();
    }

    @Test
    void refusalIsA200WithStopDetails() {
        List<SseEvent> events = http.stream(streaming(request(MODEL, 100, "[[sim:stop=refusal]]")));
        JsonNode delta = last(events, "message_delta").data().path("delta");
        assertThat(delta.path("stop_reason").asText()).isEqualTo("refusal");
        assertThat(delta.path("stop_details").path("type").asText()).isEqualTo("refusal");
    }

    @Test
    void tokensArriveSpacedByTheDelayDirectiveAfterTheFirstTokenDelay() {
        long start = System.nanoTime();
        List<SseEvent> events = http.stream(streaming(request(MODEL, 100,
                "[[sim:tokens=5]] [[sim:ttft=300ms]] [[sim:delay=100ms]]")));
        List<SseEvent> deltas = events.stream().filter(e -> e.event().equals("content_block_delta")).toList();
        // Lower bounds from the start: the timers guarantee them, however late the reader sees an event.
        assertThat(Duration.ofNanos(deltas.getFirst().atNanos() - start))
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(Duration.ofNanos(deltas.getLast().atNanos() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertThat(events.getFirst().atNanos()).isLessThan(deltas.getFirst().atNanos());
    }

    @Test
    void silencesLongerThanThePingIntervalAreFilledWithPings() {
        List<SseEvent> events = http.stream(streaming(request(MODEL, 100,
                "[[sim:tokens=2]] [[sim:delay=450ms]] [[sim:ping=100ms]]")));
        List<String> between = new ArrayList<>();
        boolean afterFirstDelta = false;
        for (SseEvent event : events) {
            if (event.event().equals("content_block_delta")) {
                if (afterFirstDelta) {
                    break;
                }
                afterFirstDelta = true;
            } else if (afterFirstDelta) {
                between.add(event.event());
            }
        }
        assertThat(between).hasSizeGreaterThanOrEqualTo(3).containsOnly("ping");
    }

    @Test
    void nonStreamingReplyIsTheSameMessageAsTheStream() {
        String directives = "[[sim:reply=Same either way.]]";
        JsonNode whole = nonStreaming(request(MODEL, 100, directives));
        List<SseEvent> events = http.stream(streaming(request(MODEL, 100, directives)));
        assertThat(whole.path("content").toString()).isEqualTo("[{\"type\":\"text\",\"text\":\"Same either way.\"}]");
        assertThat(text(events)).isEqualTo("Same either way.");
        assertThat(whole.path("usage").path("output_tokens").asLong())
                .isEqualTo(last(events, "message_delta").data().path("usage").path("output_tokens").asLong());
        assertThat(whole.path("usage").path("input_tokens").asLong())
                .isEqualTo(events.get(0).data().path("message").path("usage").path("input_tokens").asLong());
    }

    @Test
    void plainRequestGetsAReplyMarkedAsSimulated() {
        JsonNode message = nonStreaming(request(MODEL, 200, "Hello"));
        assertThat(message.path("content").get(0).path("text").asText()).contains("simulated")
                .contains("no model was called");
    }

    @Test
    void userNamingAnOfferedToolGetsThatToolCalled() {
        JsonNode message = nonStreaming(withWeatherTool(request(MODEL, 200, "Please use get weather for me")));
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(message.path("content").get(1).path("name").asText()).isEqualTo("get_weather");
    }

    @Test
    void pricesOfTwoTickersMakeTwoParallelCallsOfTheStockTool() {
        JsonNode message = nonStreaming(withDemoTools(request(MODEL, 300,
                "What are the current prices of AAPL and NVDA?")));
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
        List<JsonNode> calls = toolUses(message);
        assertThat(calls).extracting(call -> call.path("name").asText()).containsExactly("get_stock_price",
                "get_stock_price");
        assertThat(calls).extracting(call -> call.path("input").toString())
                .containsExactly("{\"ticker\":\"AAPL\"}", "{\"ticker\":\"NVDA\"}");
    }

    @Test
    void aTimeQuestionCallsTheTimeToolWithTheNamedZone() {
        List<JsonNode> calls = toolUses(nonStreaming(withDemoTools(request(MODEL, 300,
                "What time is it in Europe/Oslo?"))));
        assertThat(calls).extracting(call -> call.path("input").toString())
                .containsExactly("{\"timezone\":\"Europe/Oslo\"}");
    }

    @Test
    void arithmeticInTheTextIsHandedToTheCalculator() {
        List<JsonNode> calls = toolUses(nonStreaming(withDemoTools(request(MODEL, 300,
                "Please calculate (2 + 3) * 4 for me"))));
        assertThat(calls).extracting(call -> call.path("input").toString())
                .containsExactly("{\"expression\":\"(2 + 3) * 4\"}");
    }

    @Test
    void textThatMentionsNoToolGetsAPlainAnswer() {
        JsonNode message = nonStreaming(withDemoTools(request(MODEL, 300, "Tell me a joke")));
        assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
    }

    private static List<JsonNode> toolUses(JsonNode message) {
        List<JsonNode> calls = new ArrayList<>();
        message.path("content").forEach(block -> {
            if (block.path("type").asText().equals("tool_use")) {
                calls.add(block);
            }
        });
        return calls;
    }

    /** The three tools parley ships, as their schemas reach the API. */
    private static ObjectNode withDemoTools(ObjectNode body) {
        var tools = body.putArray("tools");
        addTool(tools, "get_stock_price", "ticker", "Stock ticker symbol, e.g. AAPL");
        addTool(tools, "get_current_time", "timezone", "IANA time zone, e.g. Europe/Oslo");
        addTool(tools, "calculate", "expression", "Arithmetic expression, e.g. (2 + 3) * 4");
        return body;
    }

    private static void addTool(com.fasterxml.jackson.databind.node.ArrayNode tools, String name, String property,
            String description) {
        ObjectNode tool = tools.addObject().put("name", name).put("description", "A demo tool");
        ObjectNode schema = tool.putObject("input_schema").put("type", "object");
        schema.putObject("properties").putObject(property).put("type", "string").put("description", description);
        schema.putArray("required").add(property);
    }

    @Test
    void directiveIdScopesCountersAndRecordsTheRequest() {
        String id = UUID.randomUUID().toString();
        http.stream(streaming(request(MODEL, 100, "Hi [[sim:id=" + id + "]]")));
        JsonNode counters = http.counters(id);
        assertThat(counters.path("requests").asLong()).isEqualTo(1);
        assertThat(counters.path("streamsStarted").asLong()).isEqualTo(1);
        assertThat(counters.path("streamsCompleted").asLong()).isEqualTo(1);
        JsonNode recorded = http.recorded(id).get(0);
        assertThat(recorded.path("path").asText()).isEqualTo("/simulator/v1/messages");
        assertThat(recorded.path("headers").path("x-api-key").asText()).isEqualTo("(present)");
        assertThat(recorded.path("headers").path("anthropic-version").asText()).isEqualTo("2023-06-01");
        assertThat(recorded.path("body").path("model").asText()).isEqualTo(MODEL);
    }

    private long inputTokens(String text) {
        return nonStreaming(request(MODEL, 10, text)).path("usage").path("input_tokens").asLong();
    }

    private JsonNode nonStreaming(ObjectNode body) {
        Reply reply = http.post("/v1/messages", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.header("content-type")).isEqualTo("application/json");
        return reply.json();
    }

    static ObjectNode withWeatherTool(ObjectNode body) {
        ObjectNode tool = body.putArray("tools").addObject();
        tool.put("name", "get_weather");
        tool.put("description", "Current weather in a city");
        ObjectNode schema = tool.putObject("input_schema");
        schema.put("type", "object");
        schema.putObject("properties").putObject("city").put("type", "string");
        schema.withObject("properties").putObject("unit").put("type", "string");
        schema.putArray("required").add("city");
        return body;
    }

    private static void appendToolRound(ObjectNode body, JsonNode assistant, String result) {
        body.withArray("messages").addObject().put("role", "assistant").set("content", assistant.path("content"));
        ObjectNode user = body.withArray("messages").addObject().put("role", "user");
        for (JsonNode block : assistant.path("content")) {
            if (block.path("type").asText().equals("tool_use")) {
                user.withArray("content").addObject().put("type", "tool_result")
                        .put("tool_use_id", block.path("id").asText()).put("content", result);
            }
        }
    }

    private static SseEvent last(List<SseEvent> events, String name) {
        return events.stream().filter(e -> e.event().equals(name)).reduce((a, b) -> b).orElseThrow();
    }

    private static JsonNode parse(String json) {
        try {
            return SimulatorHttp.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
