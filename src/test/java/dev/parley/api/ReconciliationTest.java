package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * A turn can be found again at the upstream: {@code done} names each round's upstream {@code request-id} and message
 * id, the models that served, the upstream's stop details and service tier.
 */
@QuarkusTest
class ReconciliationTest {

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
    }

    @Test
    void doneNamesEachRoundAsTheUpstreamKnowsIt() {
        StreamReply reply = sse
                .stream(ChatStreamTest.body("Price? [[sim:tool=get_stock_price {\"ticker\":\"AAPL\"}]]"));

        JsonNode done = reply.last().data();
        assertThat(done.path("type").asText()).isEqualTo("done");
        JsonNode rounds = done.path("rounds");
        assertThat(rounds.size()).isEqualTo(2);
        for (JsonNode round : rounds) {
            assertThat(round.path("upstreamRequestId").asText()).matches("req_[A-Za-z0-9]{24,}");
            assertThat(round.path("messageId").asText()).matches("msg_[A-Za-z0-9]{24}");
            assertThat(round.path("servedBy").toString()).isEqualTo("[\"claude-sonnet-4-6\"]");
        }
        assertThat(rounds.get(0).path("upstreamRequestId").asText())
                .isNotEqualTo(rounds.get(1).path("upstreamRequestId").asText());
        assertThat(rounds.get(0).path("messageId").asText()).isNotEqualTo(rounds.get(1).path("messageId").asText());
        assertThat(done.path("servedModels").toString()).isEqualTo("[\"claude-sonnet-4-6\"]");
        assertThat(done.path("serviceTier").asText()).isEqualTo("standard");
        assertThat(done.has("stopDetails")).isFalse();
    }

    @Test
    void aRefusalsStopDetailsReachTheClientAsTheUpstreamSentThem() {
        StreamReply reply = sse.stream(ChatStreamTest.body("No [[sim:stop=refusal]]"));

        JsonNode done = reply.last().data();
        assertThat(done.path("stopReason").asText()).isEqualTo("refusal");
        assertThat(done.path("stopDetails").path("type").asText()).isEqualTo("refusal");
        assertThat(done.path("stopDetails").has("category")).isTrue();
    }
}
