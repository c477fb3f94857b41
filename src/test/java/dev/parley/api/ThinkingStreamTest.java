package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.api.SseTestClient.StreamReply;

/**
 * The model's thinking reaches the client: {@code thinking} events on the stream, block by block, before the text they
 * precede; markers for what cannot be read; never a signature. Against the simulator, which thinks on Opus 5.5 as the
 * API does (always, adaptively), and checks every thinking block sent back against its signature.
 */
@QuarkusTest
class ThinkingStreamTest {

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
    }

    @Test
    void thinkingStreamsBeforeTheTextItPrecedes() {
        String id = uniqueId();
        StreamReply reply = sse.stream(body("Why? [[sim:thinking=12]] [[sim:reply=Because.]] [[sim:id=" + id + "]]",
                "thinker"));

        List<String> names = reply.names();
        assertThat(names.getFirst()).isEqualTo("thinking");
        assertThat(names.lastIndexOf("thinking")).isLessThan(names.indexOf("text"));
        assertThat(names.getLast()).isEqualTo("done");
        List<Frame> thinking = events(reply, "thinking");
        assertThat(thinking).allSatisfy(frame -> {
            assertThat(frame.data().path("block").asInt()).isEqualTo(1);
            assertThat(frame.data().path("text").asText()).isNotEmpty();
            assertThat(frame.data().has("hidden")).isFalse();
        });
        assertThat(thinking.size()).isGreaterThan(1); // as it arrives, not at the block's end
        assertThat(reply.text()).isEqualTo("Because.");
        assertThat(reply.body()).doesNotContain("signature");
        // The profile's thinking on the wire: adaptive (Opus 5.5 refuses anything else), shown summarized, low effort.
        JsonNode upstream = upstreamRequests(id).get(0).path("body");
        assertThat(upstream.path("thinking").toString())
                .isEqualTo("{\"type\":\"adaptive\",\"display\":\"summarized\"}");
        assertThat(upstream.path("output_config").toString()).isEqualTo("{\"effort\":\"low\"}");
    }

    @Test
    void everyRoundOfAToolLoopShowsItsThinkingInOrder() {
        StreamReply reply = sse
                .stream(body("Price? [[sim:thinking=6]] [[sim:tool=get_stock_price {\"ticker\":\"AAPL\"}]]",
                        "thinker"));

        assertThat(reply.names().getLast()).isEqualTo("done");
        List<Integer> blocks = events(reply, "thinking").stream().map(f -> f.data().path("block").asInt())
                .distinct().toList();
        // Opus 5.5 writes what it says before a tool call in a thinking block of its own (block 2): at display
        // summarized the client reads it, instead of silence until the tool's result.
        assertThat(blocks).containsExactly(1, 2, 3);
        assertThat(events(reply, "thinking").stream().filter(f -> f.data().path("block").asInt() == 2)
                .map(f -> f.data().path("text").asText()).reduce("", String::concat))
                .isEqualTo("I'll use get_stock_price.");
        List<String> names = reply.names();
        int toolCall = names.indexOf("tool_call");
        int toolResult = names.indexOf("tool_result");
        assertThat(firstIndexOfBlock(reply, 2)).isLessThan(toolCall);
        assertThat(firstIndexOfBlock(reply, 3)).isGreaterThan(toolResult);
        // 6 + 6 thinking tokens, and the 12 of the note between them.
        assertThat(reply.last().data().path("usage").path("thinkingTokens").asLong()).isEqualTo(24);
    }

    @Test
    void redactedThinkingIsAMarkerWithoutContent() {
        StreamReply reply = sse.stream(body("Hm [[sim:thinking=redacted]] [[sim:reply=Fine.]]", "thinker"));

        List<Frame> thinking = events(reply, "thinking");
        assertThat(thinking).extracting(f -> f.data().toString())
                .contains("{\"type\":\"thinking\",\"block\":1,\"hidden\":\"redacted\"}");
        assertThat(reply.text()).isEqualTo("Fine.");
    }

    @Test
    void omittedThinkingIsAMarkerOnce() {
        StreamReply reply = sse.stream(body("Hm [[sim:thinking=8]] [[sim:reply=Fine.]]", "omitted-thinker"));

        assertThat(events(reply, "thinking")).extracting(f -> f.data().toString())
                .containsExactly("{\"type\":\"thinking\",\"block\":1,\"hidden\":\"omitted\"}");
        assertThat(reply.text()).isEqualTo("Fine.");
    }

    @Test
    void aProfileThatHidesThinkingSendsNoneYetCountsItsTokens() {
        StreamReply reply = sse.stream(body("Hm [[sim:thinking=8]] [[sim:reply=Fine.]]", "quiet-thinker"));

        assertThat(reply.names()).doesNotContain("thinking").last().isEqualTo("done");
        assertThat(reply.last().data().path("usage").path("thinkingTokens").asLong()).isEqualTo(8);
    }

    @Test
    void aRoundThatStreamedThinkingIsNotRetried() {
        String id = uniqueId();
        // The overload comes after three thinking deltas: they reached the client, so the round is not tried again.
        StreamReply reply = sse.stream(body("[[sim:id=" + id + "]] [[sim:thinking=10]] "
                + "[[sim:fault=error-event after=3 type=overloaded_error]]", "thinker"));

        assertThat(reply.names()).startsWith("thinking").doesNotContain("retry").last().isEqualTo("error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_overloaded");
        assertThat(upstreamRequests(id)).hasSize(1);
    }

    @Test
    void theOneShotAnswerHoldsTheThinkingBlockByBlock() {
        JsonNode answer = given().contentType("application/json")
                .body(body("Price? [[sim:thinking=5]] [[sim:tool=get_stock_price {\"ticker\":\"AAPL\"}]]", "thinker"))
                .post(app.resolve("/v1/chat")).then().statusCode(200).extract().as(JsonNode.class);

        JsonNode thinking = answer.path("thinking");
        assertThat(thinking.size()).isEqualTo(3);
        assertThat(thinking.get(0).path("block").asInt()).isEqualTo(1);
        assertThat(thinking.get(0).path("text").asText()).isNotBlank();
        assertThat(thinking.get(1).path("text").asText()).isEqualTo("I'll use get_stock_price.");
        assertThat(thinking.get(2).path("block").asInt()).isEqualTo(3);
        assertThat(answer.toString()).doesNotContain("signature");
    }

    @Test
    void aKeptConversationSendsItsThinkingBackExactlyAsItCame() {
        String id = uniqueId();
        JsonNode first = given().contentType("application/json")
                .body("{\"message\":\"One [[sim:thinking=4]] [[sim:id=" + id + "]]\",\"assistant\":\"thinker\","
                        + "\"startConversation\":true}")
                .post(app.resolve("/v1/chat")).then().statusCode(200).extract().as(JsonNode.class);
        String conversation = first.path("conversationId").asText();

        given().contentType("application/json")
                .body("{\"message\":\"Two [[sim:id=" + id + "]]\",\"conversationId\":\"" + conversation + "\"}")
                .post(app.resolve("/v1/chat")).then().statusCode(200);

        List<JsonNode> requests = upstreamRequests(id);
        assertThat(requests).hasSize(2);
        JsonNode replayed = requests.get(1).path("body").path("messages").get(1).path("content").get(0);
        assertThat(replayed.path("type").asText()).isEqualTo("thinking");
        assertThat(replayed.path("signature").asText()).isNotBlank();
        assertThat(replayed.path("thinking").asText())
                .isEqualTo(first.path("thinking").get(0).path("text").asText());
    }

    private static int firstIndexOfBlock(StreamReply reply, int block) {
        List<Frame> events = reply.events();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).event().equals("thinking") && events.get(i).data().path("block").asInt() == block) {
                return i;
            }
        }
        return -1;
    }

    private static List<Frame> events(StreamReply reply, String name) {
        return reply.events().stream().filter(frame -> frame.event().equals(name)).toList();
    }

    private List<JsonNode> upstreamRequests(String id) {
        JsonNode all = given().get(app.resolve("/simulator/admin/requests?id=" + id)).then().statusCode(200)
                .extract().as(JsonNode.class);
        return java.util.stream.StreamSupport.stream(all.spliterator(), false).toList();
    }

    private static String body(String message, String assistant) {
        return ChatStreamTest.body(message, assistant);
    }

    private static String uniqueId() {
        return ChatStreamTest.uniqueId();
    }
}
