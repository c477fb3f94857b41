package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;
import dev.parley.chat.ConversationStore;
import dev.parley.chat.ThinkingBinding;

/**
 * A kept conversation stays valid when its profile changes: thinking blocks are bound to the prefix that produced
 * them, so those made under another system prompt (or tools, or model) are not sent back, while the thinking of turns
 * made under the current prefix is, exactly as the API returned it.
 */
@QuarkusTest
class ConversationThinkingTest {

    @TestHTTPResource("/")
    URI app;

    @Inject
    ConversationStore store;

    @Inject
    ObjectMapper json;

    @Test
    void thinkingMadeUnderAnotherPrefixIsDroppedAndTheTurnSucceeds() throws Exception {
        // A genuine thinking block, made by the simulated Opus 5.5 under a system prompt the profile no longer has.
        JsonNode earlier = given().header("x-api-key", "parley-simulator-key")
                .header("anthropic-version", "2023-06-01").contentType("application/json")
                .body("{\"model\":\"claude-opus-5-5\",\"max_tokens\":200,\"system\":\"An older system prompt.\","
                        + "\"thinking\":{\"type\":\"adaptive\",\"display\":\"summarized\"},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi [[sim:thinking=4]]\"}]}")
                .post(app.resolve("/simulator/v1/messages")).then().statusCode(200).extract().as(JsonNode.class);
        List<ContentBlock> answer = json.convertValue(earlier.path("content"), new TypeReference<>() {
        });
        assertThat(answer.getFirst()).isInstanceOf(ContentBlock.Thinking.class);
        String conversation = "conv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        store.commitTurn(conversation, "anonymous", "thinker", 0,
                List.of(InputMessage.user("Hi [[sim:thinking=4]]"), InputMessage.assistant(answer)),
                new ThinkingBinding("00000000000000000000000000000000", 0)).await().atMost(Duration.ofSeconds(5));
        String id = ChatStreamTest.uniqueId();

        continueWith(conversation, "Again [[sim:thinking=4]] [[sim:id=" + id + "]]");
        continueWith(conversation, "Once more [[sim:id=" + id + "]]");

        JsonNode requests = given().get(app.resolve("/simulator/admin/requests?id=" + id)).then().statusCode(200)
                .extract().as(JsonNode.class);
        assertThat(requests.size()).isEqualTo(2);
        JsonNode second = requests.get(0).path("body").path("messages");
        assertThat(second.get(1).toString()).doesNotContain("\"thinking\"").contains("\"text\"");
        // The turn made under the current prefix keeps its thinking in the next turn, signature and all.
        JsonNode third = requests.get(1).path("body").path("messages");
        assertThat(third.get(1).toString()).doesNotContain("\"thinking\"");
        assertThat(third.get(3).path("content").get(0).path("type").asText()).isEqualTo("thinking");
        assertThat(third.get(3).path("content").get(0).path("signature").asText()).isNotBlank();
    }

    private void continueWith(String conversation, String message) {
        given().contentType("application/json")
                .body("{\"message\":" + SseTestClient.JSON.valueToTree(message) + ",\"conversationId\":\""
                        + conversation + "\"}")
                .post(app.resolve("/v1/chat")).then().statusCode(200);
    }
}
