package dev.parley.simulator;

import static dev.parley.simulator.SimulatorHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.simulator.SimulatorHttp.Reply;
import dev.parley.simulator.SimulatorHttp.SseEvent;

/**
 * The late-2026 API as the simulator serves it (protocol reference §9): the new models and the retired one, the
 * per-model thinking, effort and tool-choice rules with the API's messages, thinking display, API version
 * 2026-10-21, the server-side fallback and the prefix rule for thinking blocks.
 */
@QuarkusTest
class SimulatorLateModelsTest {

    private static final String FALLBACK_BETA = "server-side-fallback-2026-07-01";
    private static final String UPDATES_BETA = "thinking-display-updates-2026-08-18";

    @TestHTTPResource("/simulator")
    URI simulator;

    private SimulatorHttp http;

    @BeforeEach
    void client() {
        http = new SimulatorHttp(simulator);
    }

    // ---------------------------------------------------------------- models

    @Test
    void sonnet45IsRetiredMessagesGetThe404AndTheCatalogueSaysSo() {
        assertError(http.post("/v1/messages", request("claude-sonnet-4-5", 10, "Hi")), "not_found_error",
                "model: claude-sonnet-4-5");
        JsonNode info = http.get("/v1/models/claude-sonnet-4-5").json();
        assertThat(info.path("lifecycle").asText()).isEqualTo("retired");
        assertThat(info.path("retires_at").asText()).isEqualTo("2026-11-30T00:00:00Z");
        assertThat(info.path("line").asText()).isEqualTo("sonnet");
        List<String> retired = ids(http.get("/v1/models?limit=100&lifecycle=retired").json());
        assertThat(retired).containsExactly("claude-sonnet-4-5-20250929", "claude-sonnet-4-20250514");
        assertThat(ids(http.get("/v1/models?limit=100").json())).doesNotContain("claude-sonnet-4-5-20250929");
    }

    @Test
    void theLate2026ModelsAreServedWithTheirCatalogueEntries() {
        for (String id : List.of("claude-fable-5-2", "claude-mythos-5-2", "claude-mythos-5-1")) {
            JsonNode info = http.get("/v1/models/" + id).json();
            assertThat(info.path("id").asText()).isEqualTo(id);
            assertThat(info.path("lifecycle").asText()).isEqualTo("active");
            assertThat(info.path("deprecated_at").isNull()).isTrue();
            assertThat(info.path("max_input_tokens").asLong()).isEqualTo(1_000_000);
            assertThat(info.path("max_tokens").asLong()).isEqualTo(128_000);
            JsonNode thinking = info.path("capabilities").path("thinking").path("types");
            assertThat(thinking.path("adaptive").path("supported").asBoolean()).isTrue();
            assertThat(thinking.path("disabled").path("supported").asBoolean()).isFalse();
            assertThat(thinking.path("enabled").path("supported").asBoolean()).isFalse();
            assertThat(http.post("/v1/messages", request(id, 50, "[[sim:reply=Hi.]]")).status()).isEqualTo(200);
        }
        assertThat(http.get("/v1/models/claude-fable-5-2").json().path("display_name").asText())
                .isEqualTo("Claude Fable 5.2");
    }

    // ---------------------------------------------------------------- per-model rules

    @Test
    void thinkingTypesAModelRefusesGetTheApisMessage() {
        assertThinkingRefused("claude-opus-5-5", "{\"type\":\"disabled\"}", "\"thinking.type.disabled\" is not "
                + "supported for this model. Use \"thinking.type.adaptive\" and \"output_config.effort\" to control "
                + "thinking behavior.");
        assertThinkingRefused("claude-fable-5-2", "{\"type\":\"enabled\",\"budget_tokens\":2048}",
                "\"thinking.type.enabled\" is not supported for this model. Use \"thinking.type.adaptive\" and "
                        + "\"output_config.effort\" to control thinking behavior.");
        assertThinkingRefused("claude-opus-5-5", "{\"type\":\"between_tools\"}",
                "\"thinking.type.between_tools\" is not supported for this model.");
        assertThinkingRefused("claude-sonnet-5-5", "{\"type\":\"disabled\"}", "\"thinking.type.disabled\" is not "
                + "supported for this model. Use \"thinking.type.between_tools\" for the lowest thinking setting, or "
                + "\"thinking.type.adaptive\" and \"output_config.effort\" to control thinking behavior.");
        assertThinkingRefused("claude-opus-4-5", "{\"type\":\"adaptive\"}",
                "adaptive thinking is not supported on this model");
    }

    @Test
    void haiku55TurnsThinkingOffOnlyAtEffortHighOrBelow() {
        ObjectNode high = request("claude-haiku-5-5", 100, "[[sim:reply=Hi.]]");
        high.set("thinking", json("{\"type\":\"disabled\"}"));
        high.putObject("output_config").put("effort", "high");
        Reply off = http.post("/v1/messages", high);
        assertThat(off.status()).as(off.body()).isEqualTo(200);
        assertThat(off.json().path("content").get(0).path("type").asText()).isEqualTo("text");
        ObjectNode xhigh = high.deepCopy();
        xhigh.putObject("output_config").put("effort", "xhigh");
        assertError(http.post("/v1/messages", xhigh), "invalid_request_error", "output_config.effort 'xhigh' is not "
                + "supported when thinking is disabled on this model. Use effort 'high' or below, or enable thinking.");
    }

    @Test
    void forcedToolChoiceIsRefusedOnTheModelsThatRefuseIt() {
        for (String model : List.of("claude-opus-5-5", "claude-sonnet-5-5", "claude-fable-5-2")) {
            ObjectNode body = withWeatherTool(request(model, 100, "Weather?"));
            body.putObject("tool_choice").put("type", "any");
            assertError(http.post("/v1/messages", body), "invalid_request_error",
                    "tool_choice: type \"tool\" and \"any\" are not supported for this model.");
            body.remove("max_tokens");
            assertError(http.post("/v1/messages/count_tokens", body), "invalid_request_error",
                    "tool_choice: type \"tool\" and \"any\" are not supported for this model.");
        }
        ObjectNode haiku = withWeatherTool(request("claude-haiku-5-5", 100, "Weather?"));
        haiku.putObject("tool_choice").put("type", "tool").put("name", "get_weather");
        assertThat(http.post("/v1/messages", haiku).status()).isEqualTo(200);
    }

    @Test
    void effortIsValidatedPerModelAndScalesTheThinking() {
        ObjectNode bad = request("claude-opus-5-5", 100, "Hi");
        bad.putObject("output_config").put("effort", "extreme");
        assertError(http.post("/v1/messages", bad), "invalid_request_error",
                "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'");
        ObjectNode xhigh46 = request("claude-sonnet-4-6", 100, "Hi");
        xhigh46.putObject("output_config").put("effort", "xhigh");
        assertError(http.post("/v1/messages", xhigh46), "invalid_request_error",
                "output_config.effort: Input should be 'low', 'medium', 'high' or 'max'");
        ObjectNode old = request("claude-opus-4-5", 100, "Hi");
        old.putObject("output_config").put("effort", "low");
        assertError(http.post("/v1/messages", old), "invalid_request_error",
                "output_config.effort: Extra inputs are not permitted");
        // Opus 5.5 thinks 24 tokens at its default effort (medium), half of it at low, twice as much at xhigh.
        assertThat(thinkingTokens("claude-opus-5-5", null)).isEqualTo(24);
        assertThat(thinkingTokens("claude-opus-5-5", "low")).isEqualTo(12);
        assertThat(thinkingTokens("claude-opus-5-5", "xhigh")).isEqualTo(48);
    }

    // ---------------------------------------------------------------- thinking on the always-thinking models

    @Test
    void opus55ThinksWithoutBeingAskedAndOmitsTheTextByDefault() {
        JsonNode message = http.post("/v1/messages", request("claude-opus-5-5", 200, "[[sim:reply=Hi.]]")).json();
        JsonNode thinking = message.path("content").get(0);
        assertThat(thinking.path("type").asText()).isEqualTo("thinking");
        assertThat(thinking.path("thinking").asText()).isEmpty();
        assertThat(thinking.path("signature").asText()).isNotEmpty();
        assertThat(message.path("usage").path("output_tokens_details").path("thinking_tokens").asLong())
                .isEqualTo(24);
        ObjectNode summarized = request("claude-opus-5-5", 200, "[[sim:reply=Hi.]]");
        summarized.set("thinking", json("{\"type\":\"adaptive\",\"display\":\"summarized\"}"));
        assertThat(http.post("/v1/messages", summarized).json().path("content").get(0).path("thinking").asText())
                .startsWith("Simulated thinking");
    }

    @Test
    void betweenToolCallsOpus55WritesInAThinkingBlockWhichUpdatesShowsAndOmittedHides() {
        ObjectNode body = withWeatherTool(request("claude-opus-5-5", 300,
                "Weather? [[sim:tool=get_weather {\"city\":\"Oslo\"}]] [[sim:preamble=Checking the weather.]]"));
        body.set("thinking", json("{\"type\":\"adaptive\",\"display\":\"updates\"}"));
        Reply withoutBeta = http.post("/v1/messages", body);
        assertError(withoutBeta, "invalid_request_error",
                "\"thinking.display\" value \"updates\" requires the beta header " + UPDATES_BETA);
        JsonNode updates = http.post("/v1/messages", body.toString(), headers(UPDATES_BETA)).json();
        assertThat(types(updates)).containsExactly("thinking", "thinking", "tool_use");
        assertThat(updates.path("content").get(0).path("thinking").asText()).isEmpty();
        assertThat(updates.path("content").get(1).path("thinking").asText()).isEqualTo("Checking the weather.");
        body.remove("thinking");
        JsonNode omitted = http.post("/v1/messages", body).json();
        assertThat(types(omitted)).containsExactly("thinking", "thinking", "tool_use");
        assertThat(omitted.path("content").get(1).path("thinking").asText()).isEmpty();
        // Sonnet 4.6 still writes it as text.
        body.put("model", "claude-sonnet-4-6");
        assertThat(types(http.post("/v1/messages", body).json())).containsExactly("text", "tool_use");
    }

    @Test
    void sonnet55BetweenToolsSkipsTheThinkingBeforeTheFirstToolCall() {
        ObjectNode body = withWeatherTool(request("claude-sonnet-5-5", 300,
                "Weather? [[sim:tool=get_weather {\"city\":\"Oslo\"}]] [[sim:preamble=none]]"));
        body.set("thinking", json("{\"type\":\"between_tools\"}"));
        JsonNode first = http.post("/v1/messages", body).json();
        assertThat(types(first)).containsExactly("tool_use");
        ArrayNode messages = (ArrayNode) body.path("messages");
        messages.addObject().put("role", "assistant").set("content", first.path("content"));
        ObjectNode result = messages.addObject().put("role", "user");
        result.putArray("content").addObject().put("type", "tool_result")
                .put("tool_use_id", first.path("content").get(0).path("id").asText()).put("content", "Sunny");
        JsonNode second = http.post("/v1/messages", body).json();
        assertThat(types(second)).containsExactly("thinking", "text");
    }

    // ---------------------------------------------------------------- API version 2026-10-21

    @Test
    void version20261021RefusesSamplingParametersThat20230601Accepts() {
        ObjectNode body = request("claude-sonnet-4-6", 10, "Hi");
        body.put("temperature", 1.0);
        assertThat(http.post("/v1/messages", body).status()).isEqualTo(200);
        Reply refused = http.post("/v1/messages", body.toString(),
                Map.of("x-api-key", SimulatorHttp.KEY, "anthropic-version", "2026-10-21"));
        assertError(refused, "invalid_request_error", "temperature: Extra inputs are not permitted");
    }

    // ---------------------------------------------------------------- server-side fallback and stop_details

    @Test
    void aRefusalWithFallbacksIsServedByTheFallbackModelAndEveryHopIsListed() {
        ObjectNode body = request("claude-fable-5-2", 200, "[[sim:refuse-on=claude-fable-5-2]] "
                + "[[sim:refusal-category=cyber]] [[sim:reply=Served by the fallback.]]");
        body.putArray("fallbacks").addObject().put("model", "claude-opus-5-5");
        assertError(http.post("/v1/messages", body), "invalid_request_error",
                "fallbacks: Extra inputs are not permitted");

        JsonNode message = http.post("/v1/messages", body.toString(), headers(FALLBACK_BETA)).json();

        assertThat(message.path("model").asText()).isEqualTo("claude-opus-5-5");
        assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
        JsonNode fallback = message.path("content").get(0);
        assertThat(fallback.toString()).isEqualTo("{\"type\":\"fallback\",\"from\":{\"model\":\"claude-fable-5-2\"},"
                + "\"to\":{\"model\":\"claude-opus-5-5\"},\"trigger\":{\"type\":\"refusal\",\"category\":\"cyber\"}}");
        assertThat(types(message)).containsExactly("fallback", "thinking", "text");
        JsonNode usage = message.path("usage");
        JsonNode iterations = usage.path("iterations");
        assertThat(iterations.size()).isEqualTo(2);
        assertThat(iterations.get(0).path("type").asText()).isEqualTo("message");
        assertThat(iterations.get(0).path("model").asText()).isEqualTo("claude-fable-5-2");
        assertThat(iterations.get(1).path("type").asText()).isEqualTo("fallback_message");
        assertThat(iterations.get(1).path("model").asText()).isEqualTo("claude-opus-5-5");
        for (String field : List.of("input_tokens", "output_tokens")) {
            assertThat(usage.path(field).asLong()).as(field)
                    .isEqualTo(iterations.get(0).path(field).asLong() + iterations.get(1).path(field).asLong());
        }

        List<SseEvent> events = http.stream(SimulatorHttp.streaming(body), headers(FALLBACK_BETA));
        assertThat(events.getFirst().data().path("message").path("model").asText()).isEqualTo("claude-fable-5-2");
        assertThat(events.stream().filter(event -> event.event().equals("content_block_start"))
                .map(event -> event.data().path("content_block").path("type").asText()))
                .containsExactly("fallback", "thinking", "text");
        JsonNode deltaUsage = events.stream().filter(event -> event.event().equals("message_delta")).findFirst()
                .orElseThrow().data().path("usage");
        assertThat(deltaUsage.path("iterations")).isEqualTo(iterations);
    }

    @Test
    void aRefusalCarriesStopDetailsWithItsCategory() {
        JsonNode message = http.post("/v1/messages", request("claude-opus-5-5", 200,
                "[[sim:stop=refusal]] [[sim:refusal-category=bio]]")).json();
        assertThat(message.path("stop_reason").asText()).isEqualTo("refusal");
        assertThat(message.path("stop_details").toString()).isEqualTo("{\"type\":\"refusal\",\"category\":\"bio\","
                + "\"explanation\":\"The simulator was asked to refuse.\"}");
    }

    // ---------------------------------------------------------------- thinking bound to its prefix

    @Test
    void aThinkingBlockSentBackAfterAnotherSystemPromptIsRefusedAndAfterTheSameOneAccepted() {
        ObjectNode first = request("claude-opus-5-5", 200, "Hi [[sim:reply=Hello.]]");
        first.put("system", "You are terse.");
        JsonNode answer = http.post("/v1/messages", first).json();
        ObjectNode next = first.deepCopy();
        ArrayNode messages = (ArrayNode) next.path("messages");
        messages.addObject().put("role", "assistant").set("content", answer.path("content"));
        messages.addObject().put("role", "user").put("content", "Again [[sim:reply=Again.]]");
        assertThat(http.post("/v1/messages", next).status()).isEqualTo(200);

        next.put("system", "You are verbose.");
        assertError(http.post("/v1/messages", next), "invalid_request_error", "messages.1.content.0: "
                + "Invalid `signature` in `thinking` block. The block is bound to a different conversation. Remove "
                + "the block, or set `thinking.block_binding.prefix_mismatch_behavior` to \"drop_block\". That "
                + "setting requires the `thinking-binding-controls-2026-08-01` value in the `anthropic-beta` header.");
        // Without the block (the API's advice), the new prefix is accepted.
        ((ArrayNode) messages.get(1).path("content")).remove(0);
        assertThat(http.post("/v1/messages", next).status()).isEqualTo(200);
        // Another model's block is dropped by the API, not refused, whatever its prefix.
        ((ArrayNode) messages.get(1).path("content")).insert(0, answer.path("content").get(0));
        next.put("model", "claude-fable-5-2");
        assertThat(http.post("/v1/messages", next).status()).isEqualTo(200);
    }

    @Test
    void droppingAnEarlierTurnsThinkingWhileKeepingALaterOneIsRefused() {
        ObjectNode body = request("claude-opus-5-5", 200, "One [[sim:reply=One.]]");
        ArrayNode messages = (ArrayNode) body.path("messages");
        JsonNode one = http.post("/v1/messages", body).json();
        messages.addObject().put("role", "assistant").set("content", one.path("content"));
        messages.addObject().put("role", "user").put("content", "Two [[sim:reply=Two.]]");
        JsonNode two = http.post("/v1/messages", body).json();
        messages.addObject().put("role", "assistant").set("content", two.path("content"));
        messages.addObject().put("role", "user").put("content", "Three [[sim:reply=Three.]]");
        assertThat(http.post("/v1/messages", body).status()).isEqualTo(200);

        ((ArrayNode) messages.get(1).path("content")).remove(0);
        Reply refused = http.post("/v1/messages", body);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").path("message").asText()).startsWith("messages.3.content.0: Invalid "
                + "`signature` in `thinking` block. The block is bound to a different conversation.");
    }

    // ---------------------------------------------------------------- helpers

    private void assertThinkingRefused(String model, String thinking, String message) {
        ObjectNode body = request(model, 4096, "Hi");
        body.set("thinking", json(thinking));
        assertError(http.post("/v1/messages", body), "invalid_request_error", message);
    }

    private long thinkingTokens(String model, String effort) {
        ObjectNode body = request(model, 200, "[[sim:reply=Hi.]]");
        if (effort != null) {
            body.putObject("output_config").put("effort", effort);
        }
        Reply reply = http.post("/v1/messages", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("usage").path("output_tokens_details").path("thinking_tokens").asLong();
    }

    private static ObjectNode withWeatherTool(ObjectNode body) {
        body.putArray("tools").addObject().put("name", "get_weather").put("description", "Weather in a city")
                .set("input_schema", json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"));
        return body;
    }

    private static Map<String, String> headers(String beta) {
        return Map.of("x-api-key", SimulatorHttp.KEY, "anthropic-version", SimulatorHttp.VERSION, "anthropic-beta",
                beta);
    }

    private static List<String> types(JsonNode message) {
        List<String> types = new java.util.ArrayList<>();
        message.path("content").forEach(block -> types.add(block.path("type").asText()));
        return types;
    }

    private static List<String> ids(JsonNode page) {
        return page.path("data").findValues("id").stream().map(JsonNode::asText).toList();
    }

    private static void assertError(Reply reply, String type, String message) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(type.equals("not_found_error") ? 404 : 400);
        assertThat(reply.json().path("error").path("type").asText()).isEqualTo(type);
        assertThat(reply.json().path("error").path("message").asText()).isEqualTo(message);
    }

    private static JsonNode json(String text) {
        try {
            return SimulatorHttp.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
