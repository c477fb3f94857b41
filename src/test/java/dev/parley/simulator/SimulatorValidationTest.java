package dev.parley.simulator;

import static dev.parley.simulator.SimulatorHttp.KEY;
import static dev.parley.simulator.SimulatorHttp.VERSION;
import static dev.parley.simulator.SimulatorHttp.headers;
import static dev.parley.simulator.SimulatorHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.simulator.SimulatorHttp.Reply;

/** Requests the real API rejects are rejected with its status, error type, message and body shape (§3). */
@QuarkusTest
class SimulatorValidationTest {

    private static final String MODEL = "claude-sonnet-4-6";
    private static final Map<String, String> GOOD = headers("x-api-key", KEY, "anthropic-version", VERSION);

    @TestHTTPResource("/simulator")
    URI simulator;

    private SimulatorHttp http;

    @BeforeEach
    void client() {
        http = new SimulatorHttp(simulator);
    }

    @Test
    void missingVersionHeaderIs400() {
        assertError(http.post("/v1/messages", request(MODEL, 10, "Hi").toString(), headers("x-api-key", KEY)),
                400, "invalid_request_error", "anthropic-version: header is required");
    }

    @Test
    void missingKeyIs401() {
        assertError(http.post("/v1/messages", request(MODEL, 10, "Hi").toString(),
                headers("anthropic-version", VERSION)), 401, "authentication_error", "x-api-key header is required");
    }

    @Test
    void wrongKeyIs401() {
        assertError(http.post("/v1/messages", request(MODEL, 10, "Hi").toString(),
                headers("x-api-key", "sk-ant-wrong", "anthropic-version", VERSION)), 401, "authentication_error",
                "invalid x-api-key");
    }

    @Test
    void bearerTokenIsAcceptedInsteadOfTheKeyHeader() {
        Reply reply = http.post("/v1/messages", request(MODEL, 10, "Hi").toString(),
                headers("authorization", "Bearer " + KEY, "anthropic-version", VERSION));
        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    void unknownBetaIs400() {
        assertError(http.post("/v1/messages", request(MODEL, 10, "Hi").toString(),
                headers("x-api-key", KEY, "anthropic-version", VERSION, "anthropic-beta",
                        "prompt-caching-2024-07-31,invalid-beta-name")),
                400, "invalid_request_error",
                "Unexpected value(s) `invalid-beta-name` for the `anthropic-beta` header. Please consult our documentation at platform.claude.com/docs or try again without the header.");
    }

    @Test
    void missingRequiredFieldsAre400() {
        ObjectNode noModel = request(MODEL, 10, "Hi");
        noModel.remove("model");
        assertError(post(noModel), 400, "invalid_request_error", "model: Field required");
        ObjectNode noMaxTokens = request(MODEL, 10, "Hi");
        noMaxTokens.remove("max_tokens");
        assertError(post(noMaxTokens), 400, "invalid_request_error", "max_tokens: Field required");
        ObjectNode noMessages = request(MODEL, 10, "Hi");
        noMessages.remove("messages");
        assertError(post(noMessages), 400, "invalid_request_error", "messages: Field required");
    }

    @Test
    void unknownBodyFieldIs400() {
        assertError(post(request(MODEL, 10, "Hi").put("context_management", "x")), 400, "invalid_request_error",
                "context_management: Extra inputs are not permitted");
    }

    @Test
    void malformedJsonIs400() {
        assertThat(http.post("/v1/messages", "{\"model\":", GOOD).status()).isEqualTo(400);
    }

    @Test
    void unknownModelIs404WithTheModelInTheMessage() {
        assertError(post(request("claude-sonnet-4-6-20250514", 10, "Hi")), 404, "not_found_error",
                "model: claude-sonnet-4-6-20250514");
    }

    @Test
    void retiredModelIs404() {
        assertError(post(request("claude-3-opus-20240229", 10, "Hi")), 404, "not_found_error",
                "model: claude-3-opus-20240229");
    }

    @Test
    void maxTokensAboveTheModelLimitIs400() {
        assertError(post(request("claude-haiku-4-5", 64_001, "Hi")), 400, "invalid_request_error",
                "max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5");
    }

    @Test
    void toolUseWithoutResultInTheNextMessageIs400() {
        ObjectNode body = conversationWithToolUse("toolu_01AAAAAAAAAAAAAAAAAAAAAA");
        body.withArray("messages").addObject().put("role", "user").put("content", "What now?");
        assertError(post(body), 400, "invalid_request_error",
                "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01AAAAAAAAAAAAAAAAAAAAAA. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
    }

    @Test
    void toolResultWithUnknownIdIs400() {
        ObjectNode body = conversationWithToolUse("toolu_01AAAAAAAAAAAAAAAAAAAAAA");
        ArrayNode content = body.withArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "tool_result").put("tool_use_id", "toolu_01AAAAAAAAAAAAAAAAAAAAAA")
                .put("content", "ok");
        content.addObject().put("type", "tool_result").put("tool_use_id", "toolu_01BBBBBBBBBBBBBBBBBBBBBB")
                .put("content", "ok");
        assertError(post(body), 400, "invalid_request_error",
                "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_01BBBBBBBBBBBBBBBBBBBBBB. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
    }

    @Test
    void toolResultsNotFirstInTheirMessageAre400() {
        ObjectNode body = conversationWithToolUse("toolu_01AAAAAAAAAAAAAAAAAAAAAA");
        ArrayNode content = body.withArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", "Here you go");
        content.addObject().put("type", "tool_result").put("tool_use_id", "toolu_01AAAAAAAAAAAAAAAAAAAAAA")
                .put("content", "ok");
        assertError(post(body), 400, "invalid_request_error",
                "messages.2: Did not find 1 tool_result block(s) at the beginning of this message. Messages following tool_use blocks must begin with a matching number of tool_result blocks.");
    }

    @Test
    void resultsThenTextInSeparateUserMessagesAreMergedAndAccepted() {
        ObjectNode body = conversationWithToolUse("toolu_01AAAAAAAAAAAAAAAAAAAAAA");
        body.withArray("messages").addObject().put("role", "user").putArray("content").addObject()
                .put("type", "tool_result").put("tool_use_id", "toolu_01AAAAAAAAAAAAAAAAAAAAAA").put("content", "ok");
        body.withArray("messages").addObject().put("role", "user").put("content", "Thanks");
        assertThat(post(body).status()).isEqualTo(200);
    }

    @Test
    void emptyErrorResultIs400() {
        ObjectNode body = conversationWithToolUse("toolu_01AAAAAAAAAAAAAAAAAAAAAA");
        body.withArray("messages").addObject().put("role", "user").putArray("content").addObject()
                .put("type", "tool_result").put("tool_use_id", "toolu_01AAAAAAAAAAAAAAAAAAAAAA").put("is_error", true);
        assertError(post(body), 400, "invalid_request_error", "content cannot be empty if is_error is true");
    }

    @Test
    void duplicateToolUseIdsAre400() {
        ObjectNode body = request(MODEL, 100, "Hi");
        ArrayNode content = body.withArray("messages").addObject().put("role", "assistant").putArray("content");
        for (int i = 0; i < 2; i++) {
            content.addObject().put("type", "tool_use").put("id", "toolu_01AAAAAAAAAAAAAAAAAAAAAA")
                    .put("name", "get_weather").putObject("input");
        }
        assertError(post(body), 400, "invalid_request_error", "`tool_use` ids must be unique");
    }

    @Test
    void thinkingWithForcedToolIs400() {
        ObjectNode body = SimulatorStreamingTest.withWeatherTool(request(MODEL, 4096, "Hi"));
        body.putObject("thinking").put("type", "enabled").put("budget_tokens", 1024);
        body.putObject("tool_choice").put("type", "any");
        assertError(post(body), 400, "invalid_request_error",
                "Thinking may not be enabled when tool_choice forces tool use.");
    }

    @Test
    void moreThanFourCacheBreakpointsAre400() {
        ObjectNode body = request(MODEL, 10, "Hi");
        ArrayNode system = body.putArray("system");
        for (int i = 0; i < 5; i++) {
            system.addObject().put("type", "text").put("text", "part " + i).putObject("cache_control")
                    .put("type", "ephemeral");
        }
        assertError(post(body), 400, "invalid_request_error",
                "A maximum of 4 blocks with cache_control may be provided. Found 5.");
    }

    @Test
    void bodyOverTheSizeLimitIs413() {
        String big = "x".repeat(1_100_000);
        assertError(post(request(MODEL, 10, big)), 413, "request_too_large", "Request exceeds the maximum size");
    }

    @Test
    void unknownSimulatorDirectiveIs400SoTyposNeverPassSilently() {
        Reply reply = post(request(MODEL, 10, "[[sim:tokns=5]]"));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().path("error").path("message").asText()).contains("tokns");
    }

    @Test
    void unknownPathUnderTheApiIsAJson404() {
        assertError(http.get("/v1/nothing-here"), 404, "not_found_error", "Not found");
    }

    private Reply post(JsonNode body) {
        return http.post("/v1/messages", body);
    }

    private static ObjectNode conversationWithToolUse(String id) {
        ObjectNode body = request(MODEL, 100, "Weather in Oslo?");
        ObjectNode tool = body.withArray("messages").addObject().put("role", "assistant").putArray("content")
                .addObject();
        tool.put("type", "tool_use").put("id", id).put("name", "get_weather").putObject("input").put("city",
                "Oslo");
        return body;
    }

    private static void assertError(Reply reply, int status, String type, String message) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.header("content-type")).isEqualTo("application/json");
        String requestId = reply.header("request-id");
        assertThat(requestId).matches("req_011C[0-9A-Za-z]{20}");
        JsonNode body = reply.json();
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo(type);
        assertThat(body.path("error").path("message").asText()).isEqualTo(message);
        assertThat(body.path("request_id").asText()).isEqualTo(requestId);
    }
}
