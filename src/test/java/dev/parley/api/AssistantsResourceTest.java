package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** {@code GET /v1/assistants}: the profiles a client can choose from, without what stays on the server. */
@QuarkusTest
class AssistantsResourceTest {

    @Test
    void listsTheDefaultProfileFirst() {
        JsonNode assistants = list();

        JsonNode first = assistants.get(0);
        assertThat(first.path("name").asText()).isEqualTo("default");
        assertThat(first.path("model").asText()).isEqualTo("claude-sonnet-4-6");
        assertThat(first.path("description").asText()).isEqualTo("A helpful engineering assistant");
        assertThat(first.path("maxTokens").asInt()).isEqualTo(4096);
        assertThat(first.path("tools").toString())
                .isEqualTo("[\"get_stock_price\",\"get_current_time\",\"calculate\"]");
    }

    @Test
    void listsEveryOtherProfileByName() {
        JsonNode assistants = list();

        assertThat(assistants.findValuesAsText("name")).containsExactlyElementsOf(expectedProfiles());
        JsonNode concise = assistants.get(assistants.findValuesAsText("name").indexOf("concise"));
        assertThat(concise.path("model").asText()).isEqualTo("claude-haiku-4-5");
        assertThat(concise.path("description").asText()).isEqualTo("Short answers from a small, fast model");
        assertThat(concise.path("maxTokens").asInt()).isEqualTo(1024);
    }

    /** The test profile's assistants, {@code default} first; the IT twin's jar lacks the one of test-only tools. */
    List<String> expectedProfiles() {
        return List.of("default", "cached-loop", "cached1h", "cached5m", "concise", "fallback-writer",
                "omitted-thinker", "plain", "quiet-thinker", "standby", "standby-at-once", "thinker", "thinker-standby",
                "toolbox", "unpriced");
    }

    @Test
    void neverExposesSystemPrompts() {
        Response response = given().accept("application/json").get("/v1/assistants");

        String body = response.asString();
        assertThat(body).doesNotContain("You are a helpful engineering assistant.")
                .doesNotContain("Answer in at most three sentences.")
                .doesNotContain("You are a cached test assistant.")
                .doesNotContainIgnoringCase("systemPrompt")
                .doesNotContainIgnoringCase("system_prompt");
        for (JsonNode assistant : json(body)) {
            assertThat(assistant.has("systemPrompt")).isFalse();
            assertThat(assistant.properties()).extracting(entry -> entry.getKey())
                    .containsExactlyInAnyOrder("name", "description", "model", "maxTokens", "tools");
        }
    }

    @Test
    void answersJsonWithARequestId() {
        Response response = given().header("X-Request-Id", "list-trace-1").get("/v1/assistants");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.header("X-Request-Id")).isEqualTo("list-trace-1");
    }

    private static JsonNode list() {
        Response response = given().accept("application/json").get("/v1/assistants");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        JsonNode assistants = json(response.asString());
        assertThat(assistants.isArray()).isTrue();
        return assistants;
    }

    private static JsonNode json(String body) {
        try {
            return SseTestClient.JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
