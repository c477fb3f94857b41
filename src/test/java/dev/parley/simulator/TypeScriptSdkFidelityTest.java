package dev.parley.simulator;

import static dev.parley.harness.NodeSdk.distinctRuns;
import static dev.parley.harness.NodeSdk.texts;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.harness.NodeSdk;

/**
 * Points the official Anthropic TypeScript SDK, run through Node ({@link NodeSdk}), at the simulator: a second client
 * nobody here wrote, besides the Java SDK of {@link OfficialSdkFidelityTest}. What it parses, accumulates, retries and
 * throws here it would do against the real API, so a disagreement is a simulator bug. Each test has its own
 * {@code [[sim:id=…]]}, so counters and faults are its own.
 */
@QuarkusTest
class TypeScriptSdkFidelityTest {

    private static final String KEY = "parley-simulator-key";
    private static final String HELLO = "Hello from the simulator, twice over.";

    @TestHTTPResource("/simulator")
    URI simulator;

    private final String id = UUID.randomUUID().toString();

    @Test
    void nonStreamedMessageHasEverythingTheSdkReads() {
        JsonNode message = run("message").get("message");

        assertThat(message.get("id").asText()).startsWith("msg_");
        assertThat(message.get("type").asText()).isEqualTo("message");
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        assertThat(message.get("model").asText()).isEqualTo("claude-sonnet-4-6");
        assertThat(types(message.get("content"))).containsExactly("text");
        assertThat(message.at("/content/0/text").asText()).isEqualTo(HELLO);
        assertThat(message.get("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(message.at("/usage/input_tokens").asLong()).isPositive();
        assertThat(message.at("/usage/output_tokens").asLong()).isPositive();
        assertThat(message.get("request_id").asText()).startsWith("req_");
        assertThat(recorded("user-agent")).singleElement().asString().startsWith("Anthropic/JS ");
    }

    @Test
    void streamedFinalMessageEqualsTheNonStreamedOne() {
        JsonNode whole = run("message").get("message");
        JsonNode streamed = run("stream");

        // The same text under the same id, so the same token counts: everything but the ids must agree.
        for (String field : List.of("type", "role", "model", "content", "stop_reason", "usage")) {
            assertThat(streamed.at("/message/" + field)).as(field).isEqualTo(whole.get(field));
        }
        assertThat(distinctRuns(streamed.get("events"))).containsExactly("message_start", "content_block_start",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(streamed.get("request_id").asText()).startsWith("req_");
        assertThat(counter("streamsCompleted")).isEqualTo(1);
    }

    @Test
    void toolRoundTripEndsWithTextEchoingTheToolResult() {
        JsonNode outcome = run("tool-round-trip");

        JsonNode call = outcome.at("/rounds/0");
        assertThat(call.get("stop_reason").asText()).isEqualTo("tool_use");
        JsonNode toolUse = call.get("content").get(call.get("content").size() - 1);
        assertThat(toolUse.get("type").asText()).isEqualTo("tool_use");
        assertThat(toolUse.get("name").asText()).isEqualTo("get_weather");
        assertThat(toolUse.get("input").toString()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(outcome.at("/rounds/1/stop_reason").asText()).isEqualTo("end_turn");
        String toolResult = outcome.at("/toolResults/0").asText();
        assertThat(toolResult).contains("light snow");
        assertThat(outcome.get("text").asText()).contains(toolResult);
        // The second request carried the tool's result under the id the model gave the call.
        JsonNode answered = requests().get(1).at("/body/messages/2/content/0");
        assertThat(answered.get("type").asText()).isEqualTo("tool_result");
        assertThat(answered.get("tool_use_id").asText()).isEqualTo(toolUse.get("id").asText());
    }

    @Test
    void countTokensMatchesTheBilledInputTokens() {
        JsonNode outcome = run("count-tokens");

        assertThat(outcome.get("inputTokens").asLong()).isPositive()
                .isEqualTo(outcome.at("/message/usage/input_tokens").asLong());
        assertThat(counter("tokenCounts")).isEqualTo(1);
    }

    @Test
    void modelsListAutoPaginatesThroughTheWholeCatalog() {
        JsonNode outcome = run("models-list");

        List<String> ids = texts(outcome.get("ids"));
        assertThat(ids).contains("claude-sonnet-4-6", "claude-fable-5-2").doesNotHaveDuplicates();
        assertThat(ids).isEqualTo(given().header("x-api-key", KEY).header("anthropic-version", "2023-06-01")
                .get(simulator + "/v1/models?limit=1000").then().statusCode(200).extract().jsonPath()
                .getList("data.id", String.class));
        assertThat(outcome.get("requests")).as("pages of 5").hasSizeGreaterThan(1)
                .allSatisfy(page -> assertThat(page.get("path").asText()).isEqualTo("/v1/models"));
    }

    @Test
    void badKeyIsAnAuthenticationErrorAndIsNotRetried() {
        JsonNode outcome = run("error-bad-key");

        JsonNode error = outcome.get("error");
        assertThat(error.get("class").asText()).isEqualTo("AuthenticationError");
        assertThat(error.get("status").asInt()).isEqualTo(401);
        assertThat(error.get("type").asText()).isEqualTo("authentication_error");
        assertThat(error.get("request_id").asText()).startsWith("req_");
        assertThat(outcome.get("requests")).hasSize(1);
    }

    @Test
    void sdkRetriesA529ByItself() {
        JsonNode outcome = run("overloaded-then-ok", Map.of("MAX_RETRIES", "1"));

        assertThat(outcome.has("error")).as(outcome.toString()).isFalse();
        assertThat(outcome.at("/message/content/0/text").asText()).isEqualTo("Made it after one 529.");
        assertThat(outcome.get("requests")).extracting(attempt -> attempt.get("status").asInt()).containsExactly(529,
                200);
        // The retry number is the SDK's own header, as the simulator received it.
        assertThat(recorded("x-stainless-retry-count")).containsExactly("0", "1");
        assertThat(counter("requests")).isEqualTo(2);
    }

    @Test
    void withoutRetriesA529IsAnOverloadedError() {
        JsonNode error = run("overloaded-then-ok", Map.of("MAX_RETRIES", "0")).get("error");

        assertThat(error.get("class").asText()).isEqualTo("OverloadedError");
        assertThat(error.get("status").asInt()).isEqualTo(529);
        assertThat(error.get("type").asText()).isEqualTo("overloaded_error");
        assertThat(counter("requests")).isEqualTo(1);
    }

    @Test
    void midStreamCutIsAnErrorOfTheSdkAndIsNotRetried() {
        JsonNode outcome = run("mid-stream-cut");

        assertThat(outcome.has("message")).isFalse();
        // Not an APIConnectionError: the SDK wraps the fetch's "terminated" in its base class.
        assertThat(outcome.at("/error/class").asText()).isEqualTo("AnthropicError");
        assertThat(outcome.at("/error/cause/message").asText()).isEqualTo("terminated");
        assertThat(outcome.get("request_id").asText()).startsWith("req_");
        List<String> events = texts(outcome.get("events"));
        assertThat(events).startsWith("message_start", "content_block_start").doesNotContain("message_stop");
        assertThat(events).filteredOn("content_block_delta"::equals).hasSize(3);
        assertThat(counter("requests")).as("a stream that has started is never retried").isEqualTo(1);
        assertThat(counter("streamsFailed")).isEqualTo(1);
    }

    private JsonNode run(String scenario) {
        return run(scenario, Map.of());
    }

    private JsonNode run(String scenario, Map<String, String> options) {
        Map<String, String> environment = new HashMap<>(options);
        environment.put("SCENARIO_ID", id);
        return NodeSdk.run(simulator, KEY, scenario, environment);
    }

    private long counter(String name) {
        return given().get(simulator + "/admin/counters?id=" + id).then().statusCode(200).extract().jsonPath()
                .getLong(name);
    }

    private List<JsonNode> requests() {
        List<JsonNode> requests = new ArrayList<>();
        given().get(simulator + "/admin/requests?id=" + id).then().statusCode(200).extract().as(JsonNode.class)
                .forEach(requests::add);
        return requests;
    }

    /** One header of every request with this test's id, in order. */
    private List<String> recorded(String header) {
        return requests().stream().map(request -> request.at("/headers/" + header).asText()).toList();
    }

    private static List<String> types(JsonNode blocks) {
        List<String> types = new ArrayList<>();
        blocks.forEach(block -> types.add(block.get("type").asText()));
        return types;
    }
}
