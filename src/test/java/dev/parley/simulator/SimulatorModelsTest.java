package dev.parley.simulator;

import static dev.parley.simulator.SimulatorHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.simulator.SimulatorHttp.Reply;

/** {@code GET /v1/models} with pagination, {@code GET /v1/models/{id}} and {@code POST /v1/messages/count_tokens}. */
@QuarkusTest
class SimulatorModelsTest {

    @TestHTTPResource("/simulator")
    URI simulator;

    private SimulatorHttp http;

    @BeforeEach
    void client() {
        http = new SimulatorHttp(simulator);
    }

    @Test
    void modelsPageForwardWithAfterIdUntilHasMoreIsFalse() {
        List<String> ids = new ArrayList<>();
        String after = null;
        JsonNode page;
        do {
            page = http.get("/v1/models?limit=4" + (after == null ? "" : "&after_id=" + after)).json();
            page.path("data").forEach(model -> ids.add(model.path("id").asText()));
            after = page.path("last_id").asText();
        } while (page.path("has_more").asBoolean());
        // The catalog, plus the extra model the test profile configures (parley.simulator.extra-models).
        // Retired models are left out unless asked for.
        assertThat(ids).hasSize((int) ModelCatalog.MODELS.stream().filter(model -> !model.retired()).count() + 1)
                .endsWith("claude-future-9").doesNotHaveDuplicates()
                .contains("claude-sonnet-4-6", "claude-haiku-4-5-20251001", "claude-opus-4-8", "claude-mythos-5-2")
                .doesNotContain("claude-3-opus-20240229", "claude-sonnet-4-5-20250929");
        assertThat(ids.getFirst()).isEqualTo("claude-fable-5-2");
    }

    @Test
    void modelInfoHasTheDocumentedShape() {
        Reply reply = http.get("/v1/models/claude-haiku-4-5");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode model = reply.json();
        assertThat(model.path("type").asText()).isEqualTo("model");
        assertThat(model.path("id").asText()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(model.path("display_name").asText()).isEqualTo("Claude Haiku 4.5");
        assertThat(model.path("created_at").asText()).isEqualTo("2025-10-01T00:00:00Z");
        assertThat(model.path("max_input_tokens").asLong()).isEqualTo(200_000);
        assertThat(model.path("max_tokens").asLong()).isEqualTo(64_000);
        assertThat(model.path("capabilities").path("thinking").path("supported").asBoolean()).isTrue();
    }

    @Test
    void everyResponseSaysItComesFromTheSimulator() {
        // A header the real API never sends: a client can tell a simulator by its answers, wherever it runs.
        Reply models = http.get("/v1/models?limit=1");
        Reply message = http.post("/v1/messages", request("claude-sonnet-4-6", 10, "[[sim:reply=Hi.]]"));
        Reply refused = http.get("/v1/models/claude-unknown");
        for (Reply reply : List.of(models, message, refused)) {
            assertThat(reply.header(SimulatorRoutes.SELF_HEADER)).as(reply.body()).isEqualTo("true");
        }
        assertThat(models.status()).isEqualTo(200);
        assertThat(message.status()).isEqualTo(200);
        assertThat(refused.status()).isEqualTo(404);
    }

    @Test
    void unknownModelInfoIs404() {
        Reply reply = http.get("/v1/models/claude-unknown");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().path("error").path("message").asText()).isEqualTo("model: claude-unknown");
    }

    @Test
    void countTokensMatchesTheInputTokensOfTheSameMessages() {
        ObjectNode body = request("claude-sonnet-4-6", 50, "How many tokens is this sentence?");
        body.put("system", "You are terse.");
        long inputTokens = http.post("/v1/messages", body).json().path("usage").path("input_tokens").asLong();
        ObjectNode count = body.deepCopy();
        count.remove("max_tokens");
        Reply reply = http.post("/v1/messages/count_tokens", count);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("input_tokens").asLong()).isEqualTo(inputTokens);
    }

    @Test
    void anInputTokensDirectiveWeighsTheSameInTheCountAndInTheMessagesUsage() {
        ObjectNode body = request("claude-sonnet-4-6", 50, "[[sim:input-tokens=20000]] Hi");
        long inputTokens = http.post("/v1/messages", body).json().path("usage").path("input_tokens").asLong();
        ObjectNode count = body.deepCopy();
        count.remove("max_tokens");
        // 4 for the request, 3 for the message, 20,000 for its text.
        assertThat(inputTokens).isEqualTo(20_007);
        assertThat(http.post("/v1/messages/count_tokens", count).json().path("input_tokens").asLong())
                .isEqualTo(inputTokens);
    }

    @Test
    void aCountUnderDirectiveMakesTheCountLowerThanTheBilledInput() {
        ObjectNode body = request("claude-sonnet-4-6", 50, "[[sim:count-under=5]] How many tokens is this sentence?");
        long inputTokens = http.post("/v1/messages", body).json().path("usage").path("input_tokens").asLong();
        ObjectNode count = body.deepCopy();
        count.remove("max_tokens");
        assertThat(http.post("/v1/messages/count_tokens", count).json().path("input_tokens").asLong())
                .isEqualTo(inputTokens - 5);
    }

    @Test
    void countTokensRejectsMaxTokensLikeTheRealApi() {
        Reply reply = http.post("/v1/messages/count_tokens", request("claude-sonnet-4-6", 50, "Hi"));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().path("error").path("message").asText())
                .isEqualTo("max_tokens: Extra inputs are not permitted");
    }

    @Test
    void betaQueryParameterIsAccepted() {
        Reply reply = http.post("/v1/messages?beta=true", request("claude-sonnet-4-6", 10, "Hi"));
        assertThat(reply.status()).isEqualTo(200);
    }
}
