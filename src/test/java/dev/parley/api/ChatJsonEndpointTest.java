package dev.parley.api;

import static dev.parley.api.ChatStreamTest.assertUsage;
import static dev.parley.api.ChatStreamTest.body;
import static dev.parley.api.ChatStreamTest.uniqueId;
import static dev.parley.api.ChatStreamTest.usd;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** {@code POST /v1/chat}: the whole turn as one JSON response, against the simulator as upstream. */
@QuarkusTest
class ChatJsonEndpointTest {

    private static final String SIMULATOR_KEY = "parley-simulator-key";

    @Test
    void returnsTheWholeReplyWithUsageCostAndTimings() {
        Response response = chat(body("Hi [[sim:reply=Hello there, friend.]]"));

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.header("X-Request-Id")).isNotBlank();
        JsonNode reply = json(response);
        assertThat(reply.path("turnId").asText()).isNotBlank().isEqualTo(response.header("X-Turn-Id"));
        assertThat(reply.path("text").asText()).isEqualTo("Hello there, friend.");
        assertThat(reply.path("stopReason").asText()).isEqualTo("end_turn");
        assertThat(reply.path("model").asText()).isEqualTo("claude-sonnet-4-6");
        assertThat(reply.has("conversationId")).isFalse();
        assertThat(reply.path("timings").path("totalMs").isIntegralNumber()).isTrue();
        assertThat(reply.path("timings").path("timeToFirstTokenMs").isIntegralNumber()).isTrue();
        assertThat(reply.path("timings").path("timeToFirstTokenMs").asLong())
                .isLessThanOrEqualTo(reply.path("timings").path("totalMs").asLong());
    }

    @Test
    void usageCountsEveryTokenTypeAndCostIsAnExactJsonNumber() {
        // The same turn as ChatStreamTest.usageAndCostAreExact: 30 input and 2 output tokens on Sonnet 4.6 at
        // $3 / $15 per million, 120 millionths of a dollar (the "plain" profile: the default one without tools).
        Response response = chat("{\"message\":\"[[sim:reply=Done.]]\",\"assistant\":\"plain\"}");

        JsonNode reply = json(response);
        assertThat(reply.path("text").asText()).isEqualTo("Done.");
        assertUsage(reply.path("usage"), 30, 2, 0, 0, 0);
        assertThat(usd(reply.path("cost").path("totalUsd"))).isEqualByComparingTo("0.00012");
        assertThat(usd(reply.path("cost").path("inputUsd"))).isEqualByComparingTo("0.00009");
        assertThat(usd(reply.path("cost").path("outputUsd"))).isEqualByComparingTo("0.00003");
        assertThat(usd(reply.path("cost").path("cacheReadUsd"))).isEqualByComparingTo("0");
        assertThat(response.asString()).contains("\"totalUsd\":0.00012,");
    }

    @Test
    void theTextOfEachRoundIsAParagraphOfItsOwn() {
        Response response = chat(body("[[sim:tool=get_stock_price {\"ticker\":\"AAPL\"}]] "
                + "[[sim:preamble=Let me look.]] [[sim:reply=AAPL is at 178.50.]] What is AAPL at?"));

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        JsonNode reply = json(response);
        assertThat(reply.path("roundCount").asInt()).isEqualTo(2);
        assertThat(reply.path("text").asText()).isEqualTo("Let me look.\n\nAAPL is at 178.50.");
    }

    @Test
    void startConversationReturnsAnIdThatCanBeContinued() {
        JsonNode first = json(chat("{\"message\":\"[[sim:reply=First answer.]]\",\"startConversation\":true}"));

        String conversationId = first.path("conversationId").asText();
        assertThat(conversationId).startsWith("conv_");
        assertThat(first.path("text").asText()).isEqualTo("First answer.");

        JsonNode second = json(chat("{\"message\":\"[[sim:reply=Second answer.]]\",\"conversationId\":\""
                + conversationId + "\"}"));
        assertThat(second.path("conversationId").asText()).isEqualTo(conversationId);
        JsonNode conversation = json(given().get("/v1/conversations/" + conversationId).then().statusCode(200)
                .extract().response());
        assertThat(conversation.path("messages").findValuesAsText("text")).containsExactly(
                "[[sim:reply=First answer.]]", "First answer.", "[[sim:reply=Second answer.]]", "Second answer.");
    }

    @Test
    void upstreamRejectionIs502WithStableCodeAndNoUpstreamDetails() {
        Response response = chat(body("Hi [[sim:fault=400 message=secret_detail]]"));

        JsonNode problem = assertUpstreamProblem(response, "upstream_rejected");
        // The failed turn has a ledger row: its key is in the problem and in a header.
        assertThat(problem.path("turnId").asText()).isNotBlank().isEqualTo(response.header("X-Turn-Id"));
        assertThat(response.asString()).doesNotContain("secret").doesNotContain("invalid_request_error")
                .doesNotContainPattern("\\breq_011C");
        assertThat(problem.path("usage").path("outputTokens").asLong()).isZero();
    }

    @Test
    void upstreamRefusingTheCredentialsIs502UpstreamAuth() {
        assertUpstreamProblem(chat(body("Hi [[sim:fault=401]]")), "upstream_auth");
        assertUpstreamProblem(chat(body("Hi [[sim:fault=403]]")), "upstream_auth");
    }

    @Test
    void upstreamNotFoundIs502UpstreamRejected() {
        assertUpstreamProblem(chat(body("Hi [[sim:fault=404]]")), "upstream_rejected");
    }

    @Test
    void upstreamFailureIsNotRetriedByTheJsonEndpoint() {
        String id = uniqueId();
        assertUpstreamProblem(chat(body("[[sim:id=" + id + "]] [[sim:fault=400]]")), "upstream_rejected");

        assertThat(given().get("/simulator/admin/counters?id=" + id).then().statusCode(200).extract().jsonPath()
                .getLong("requests")).isEqualTo(1);
    }

    @Test
    void overloadAfterTextIs502WithThePartialUsage() {
        Response response = chat(body("[[sim:tokens=10]] [[sim:fault=error-event after=2]]"));

        JsonNode problem = assertUpstreamProblem(response, "upstream_overloaded");
        assertThat(problem.path("usage").path("inputTokens").asLong()).isPositive();
        assertThat(problem.path("usage").path("outputTokens").asLong()).isPositive();
        assertThat(usd(problem.path("cost").path("totalUsd"))).isPositive();
        assertThat(response.asString()).doesNotContain("overloaded_error");
        // Partial text is not part of a failed answer.
        assertThat(problem.has("text")).isFalse();
    }

    @Test
    void simulatorApiKeyNeverAppearsInAnyResponse() {
        String id = uniqueId();
        String conversationId = json(chat("{\"message\":\"[[sim:reply=Kept.]]\",\"startConversation\":true}"))
                .path("conversationId").asText();
        Response[] responses = {
                chat(body("[[sim:id=" + id + "]] [[sim:reply=Fine.]]")),
                chat(body("[[sim:fault=400]]")),
                chat(body("[[sim:fault=401]]")),
                chat(body("[[sim:tokens=5]] [[sim:fault=error-event after=2]]")),
                chat("{\"message\":\"Hi\",\"maxTokens\":0}"),
                chat("{\"message\":"),
                given().get("/v1/conversations/" + conversationId),
                given().get("/v1/assistants"),
                given().get("/simulator/admin/requests?id=" + id),
        };
        for (Response response : responses) {
            assertThat(response.asString()).doesNotContain(SIMULATOR_KEY);
            assertThat(response.headers().toString()).doesNotContain(SIMULATOR_KEY);
        }
    }

    private static JsonNode assertUpstreamProblem(Response response, String code) {
        String body = response.asString();
        assertThat(response.statusCode()).as(body).isEqualTo(502);
        assertThat(response.contentType()).as(body).startsWith("application/problem+json");
        assertThat(response.header("X-Request-Id")).isNotBlank();
        JsonNode problem = json(response);
        assertThat(problem.path("status").asInt()).isEqualTo(502);
        assertThat(problem.path("code").asText()).isEqualTo(code);
        assertThat(problem.path("type").asText()).isEqualTo("https://parley.dev/problems/" + code);
        assertThat(problem.path("detail").asText()).isNotBlank();
        assertThat(problem.path("requestId").asText()).isEqualTo(response.header("X-Request-Id"));
        assertThat(problem.path("usage").isObject()).as(body).isTrue();
        assertThat(body).doesNotContain(SIMULATOR_KEY);
        return problem;
    }

    private static Response chat(String body) {
        return given().accept("application/json").contentType("application/json").body(body).post("/v1/chat");
    }

    private static JsonNode json(Response response) {
        try {
            return SseTestClient.JSON.readTree(response.asString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
