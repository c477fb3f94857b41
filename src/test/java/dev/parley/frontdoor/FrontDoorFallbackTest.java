package dev.parley.frontdoor;

import static dev.parley.frontdoor.DoorWitness.upstreamBody;
import static dev.parley.frontdoor.DoorWitness.upstreamRequestTree;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.MODEL;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.STANDBY_KEY;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.ask;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.text;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A front-door caller with a fallback chain of its own ({@code standby}: Claude Haiku 4.5 after the named model):
 * a message its model fails for good before any content is answered by the next model, which the SDK sees in the
 * message's {@code model}; the ledger names it and prices it at its rates. A chain that fails everywhere answers
 * with the last model's error.
 */
@QuarkusTest
@TestProfile(FrontDoorJavaSdkTest.Callers.class)
class FrontDoorFallbackTest extends JavaSdkAtTheDoor {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aStreamWhoseModelIsOverloadedForGoodIsServedByTheCallersFallback() {
        String id = uniqueId();
        List<RawMessageStreamEvent> events = new ArrayList<>();
        try (var stream = client(STANDBY_KEY).messages().createStreaming(ask(id,
                "[[sim:overloaded-on=" + MODEL + "]] [[sim:reply=Served by the standby.]]").build())) {
            stream.stream().forEach(events::add);
        }
        MessageAccumulator accumulator = MessageAccumulator.create();
        events.forEach(accumulator::accumulate);
        Message message = accumulator.message();

        assertThat(events.getFirst().asMessageStart().message().model().asString()).isEqualTo("claude-haiku-4-5");
        assertThat(text(message)).isEqualTo("Served by the standby.");
        JsonNode sent = upstreamRequestTree(id);
        assertThat(sent).extracting(request -> request.path("body").path("model").asText())
                .containsExactly(MODEL, MODEL, MODEL, "claude-haiku-4-5");

        Map<String, Object> row = door.awaitRow(id);
        assertThat(row).containsEntry("outcome", "ok").containsEntry("model", MODEL)
                .containsEntry("served_models", "claude-haiku-4-5");
        // Haiku 4.5: $1 per million input tokens, $5 per million output tokens.
        assertThat((BigDecimal) row.get("cost_usd")).isEqualByComparingTo(BigDecimal
                .valueOf(message.usage().inputTokens() + message.usage().outputTokens() * 5).movePointLeft(6));
    }

    @Test
    void aFallbackGetsTheMessageWithoutTheEarlierThinkingOrTheServerSideFallbacks() throws Exception {
        String id = uniqueId();
        // An earlier turn as the model answered it, thinking block and signature included.
        String firstTurn = "Hi [[sim:thinking=4]] [[sim:reply=Hello.]]";
        JsonNode answered = JSON.readTree(given().header("x-api-key", "parley-simulator-key")
                .header("anthropic-version", "2023-06-01").contentType("application/json")
                .body("{\"model\":\"" + MODEL + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"" + firstTurn + "\"}]}")
                .post(app.resolve("/simulator/v1/messages")).then().statusCode(200).extract().asString());
        String earlier = answered.path("content").toString();
        assertThat(earlier).contains("\"type\":\"thinking\"");
        String body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":64,\"fallbacks\":[{\"model\":\"claude-opus-5-5\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + firstTurn + "\"},{\"role\":\"assistant\","
                + "\"content\":" + earlier + "},{\"role\":\"user\",\"content\":\"[[sim:id=" + id + "]] "
                + "[[sim:overloaded-on=" + MODEL + "]] Again\"}],\"metadata\":{\"user_id\":\"u-1\"}}";

        Response response = given().header("x-api-key", STANDBY_KEY).header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "server-side-fallback-2026-07-01").header("X-Request-Id", id)
                .contentType("application/json").body(body).post(app.resolve("/anthropic/v1/messages"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.jsonPath().getString("model")).isEqualTo("claude-haiku-4-5");
        JsonNode fallback = upstreamBody(id, 3);
        assertThat(fallback.path("model").asText()).isEqualTo("claude-haiku-4-5");
        assertThat(fallback.has("fallbacks")).isFalse();
        assertThat(fallback.path("messages").get(1).path("content")).singleElement()
                .satisfies(block -> assertThat(block.path("type").asText()).isEqualTo("text"));
        assertThat(upstreamBody(id, 0).path("messages").get(1).path("content").toString()).isEqualTo(earlier);
        // What parley does not model goes as the client wrote it.
        assertThat(fallback.path("metadata").path("user_id").asText()).isEqualTo("u-1");
        assertThat(upstreamBody(id, 0).path("fallbacks").toString()).isEqualTo("[{\"model\":\"claude-opus-5-5\"}]");
    }

    @Test
    void aChainThatFailsEverywhereAnswersWithTheLastModelsError() {
        String id = uniqueId();
        String body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"[[sim:id=" + id + "]] [[sim:overloaded-on=" + MODEL + "]] [[sim:fault=none times=3]] "
                + "[[sim:fault=500 times=always]] Hi\"}]}";

        Response response = given().header("x-api-key", STANDBY_KEY).header("anthropic-version", "2023-06-01")
                .header("X-Request-Id", id).contentType("application/json").body(body)
                .post(app.resolve("/anthropic/v1/messages"));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.jsonPath().getString("error.type")).isEqualTo("api_error");
        assertThat(response.header("x-should-retry")).isEqualTo("false");
        assertThat(upstreamRequestTree(id)).extracting(request -> request.path("body").path("model").asText())
                .containsExactly(MODEL, MODEL, MODEL, "claude-haiku-4-5", "claude-haiku-4-5", "claude-haiku-4-5");
        assertThat(door.awaitRow(id)).containsEntry("outcome", "upstream_error");
    }
}
