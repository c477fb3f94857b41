package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static dev.parley.api.SseTestClient.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * Server-side conversations: started on request, continued by id, and changed only by turns that completed. Run
 * against each store: {@link ConversationTest} (memory) and {@link RedisConversationTest}.
 */
abstract class ConversationContract {

    @TestHTTPResource("/")
    URI app;

    SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
    }

    @Test
    void startedConversationIsContinuedWithItsHistorySentUpstream() {
        String conversation = startConversation("First question [[sim:reply=First answer.]]");

        String id = uniqueId();
        StreamReply second = sse.stream(json(Map.of("message", "Second question [[sim:id=" + id + "]]",
                "conversationId", conversation)));
        assertThat(second.last().data().path("conversationId").asText()).isEqualTo(conversation);

        JsonNode upstreamMessages = given().get(app.resolve("/simulator/admin/requests?id=" + id)).then()
                .extract().as(JsonNode.class).get(0).path("body").path("messages");
        assertThat(upstreamMessages.size()).isEqualTo(3);
        assertThat(upstreamMessages.get(0).path("content").get(0).path("text").asText())
                .isEqualTo("First question [[sim:reply=First answer.]]");
        assertThat(upstreamMessages.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(upstreamMessages.get(1).path("content").get(0).path("text").asText()).isEqualTo("First answer.");

        List<Map<String, String>> transcript = transcript(conversation);
        assertThat(transcript).hasSize(4);
        assertThat(transcript.get(1)).containsEntry("role", "assistant").containsEntry("text", "First answer.");
        assertThat(transcript.get(2).get("text")).startsWith("Second question");
        assertThat(transcript.get(3).get("role")).isEqualTo("assistant");
    }

    @Test
    void failedTurnLeavesTheConversationExactlyAsItWas() {
        String conversation = startConversation("Hello [[sim:reply=Hi.]]");
        StreamReply failed = sse.stream(json(Map.of("message",
                "Go on [[sim:tokens=10]] [[sim:fault=error-event after=3]]", "conversationId", conversation)));
        assertThat(failed.names()).endsWith("error");
        assertThat(transcript(conversation)).hasSize(2);
    }

    @Test
    void cancelledTurnLeavesTheConversationExactlyAsItWas() {
        String conversation = startConversation("Hello [[sim:reply=Hi.]]");
        String id = uniqueId();
        sse.streamAndHangUp(json(Map.of("message", "Go on [[sim:id=" + id + "]] [[sim:tokens=100]] [[sim:delay=50ms]]",
                "conversationId", conversation)), frame -> "text".equals(frame.event()));
        await().atMost(Duration.ofSeconds(1)).until(() -> sse.simulatorCounter(id, "streamsAbandoned") == 1);
        assertThat(transcript(conversation)).hasSize(2);
    }

    @Test
    void conversationWhoseFirstTurnFailedNeverExists() {
        StreamReply failed = sse.stream(json(Map.of("message", "[[sim:fault=400]]", "startConversation", true)));
        assertThat(failed.names()).containsExactly("error");
        assertThat(failed.last().data().has("conversationId")).isFalse();
    }

    @Test
    void deletedConversationIsGone() {
        String conversation = startConversation("Hello [[sim:reply=Hi.]]");
        given().delete(app.resolve("/v1/conversations/" + conversation)).then().statusCode(204);
        given().get(app.resolve("/v1/conversations/" + conversation)).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("conversation_not_found"));
        given().delete(app.resolve("/v1/conversations/" + conversation)).then().statusCode(404);
        StreamReply continued = sse.stream(json(Map.of("message", "Hi", "conversationId", conversation)));
        assertThat(continued.status()).isEqualTo(404);
    }

    @Test
    void conversationKeepsItsAssistant() {
        String conversation = startConversation("Hello [[sim:reply=Hi.]]");
        given().get(app.resolve("/v1/conversations/" + conversation)).then().body("assistant", equalTo("default"));
        StreamReply other = sse.stream(json(Map.of("message", "Hi", "conversationId", conversation, "assistant",
                "concise")));
        assertThat(other.status()).isEqualTo(400);
    }

    @Test
    void ofTwoTurnsRacingOnOneConversationOnlyTheFirstToFinishIsStored() throws Exception {
        String conversation = startConversation("Hello [[sim:reply=Hi.]]");
        String id = uniqueId();
        CompletableFuture<StreamReply> slow = CompletableFuture.supplyAsync(() -> sse.stream(json(Map.of("message",
                "Slow [[sim:id=" + id + "]] [[sim:tokens=12]] [[sim:delay=150ms]]", "conversationId", conversation))));
        // Once its upstream stream started, the slow turn has read the conversation at two messages.
        await().atMost(Duration.ofSeconds(5)).until(() -> sse.simulatorCounter(id, "streamsStarted") == 1);

        StreamReply fast = sse.stream(json(Map.of("message", "Fast [[sim:reply=Done.]]", "conversationId",
                conversation)));
        assertThat(fast.names()).last().isEqualTo("done");
        StreamReply lost = slow.get(10, TimeUnit.SECONDS);
        assertThat(lost.names()).last().isEqualTo("error");
        assertThat(lost.last().data().path("error").path("code").asText()).isEqualTo("conversation_conflict");
        List<Map<String, String>> transcript = transcript(conversation);
        assertThat(transcript).hasSize(4);
        assertThat(transcript.get(2).get("text")).startsWith("Fast");
        assertThat(transcript.get(3)).containsEntry("text", "Done.");
    }

    String startConversation(String message) {
        StreamReply reply = sse.stream(json(Map.of("message", message, "startConversation", true)));
        assertThat(reply.names()).last().isEqualTo("done");
        String conversation = reply.last().data().path("conversationId").asText();
        assertThat(conversation).matches("conv_[0-9A-Za-z]{24}");
        return conversation;
    }

    List<Map<String, String>> transcript(String conversation) {
        return given().get(app.resolve("/v1/conversations/" + conversation)).then().statusCode(200).extract()
                .jsonPath().getList("messages");
    }
}
