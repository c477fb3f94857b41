package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * A profile with the API's server-side fallback ({@code fallback-writer}: Claude Fable 5.2, then Claude Opus 5.5): a
 * request Fable 5.2 refuses is served by Opus 5.5 within the same upstream call; the client reads the fallback's
 * text, {@code done} names both models, and each hop is priced at its own model's rates, exactly.
 */
@QuarkusTest
class ServerSideFallbackTest {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
    }

    @Test
    void aRefusedRoundIsServedByTheFallbackAndEachHopIsPricedAtItsModel() {
        String id = ChatStreamTest.uniqueId();
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] [[sim:refuse-on=claude-fable-5-2]]"
                + " [[sim:refusal-category=cyber]] [[sim:reply=Served by the fallback.]]", "fallback-writer"));

        assertThat(reply.text()).isEqualTo("Served by the fallback.");
        JsonNode done = reply.last().data();
        assertThat(done.path("type").asText()).isEqualTo("done");
        assertThat(done.path("stopReason").asText()).isEqualTo("end_turn");
        assertThat(done.path("model").asText()).isEqualTo("claude-fable-5-2");
        assertThat(done.path("servedModels").toString()).isEqualTo("[\"claude-fable-5-2\",\"claude-opus-5-5\"]");
        assertThat(done.path("rounds").get(0).path("servedBy")).isEqualTo(done.path("servedModels"));

        // What parley sent: the fallback list and its beta header.
        JsonNode sent = given().get(app.resolve("/simulator/admin/requests?id=" + id)).then().statusCode(200)
                .extract().as(JsonNode.class).get(0);
        assertThat(sent.path("body").path("fallbacks").toString()).isEqualTo("[{\"model\":\"claude-opus-5-5\"}]");
        assertThat(sent.path("headers").path("anthropic-beta").asText()).contains("server-side-fallback-2026-07-01");

        // The same request answered whole lists its hops' tokens: Fable 5.2 at $8 / $40, Opus 5.5 at $4 / $20.
        ObjectNode whole = ((ObjectNode) sent.path("body")).deepCopy();
        whole.remove("stream");
        JsonNode hops = given().header("x-api-key", "parley-simulator-key").header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "server-side-fallback-2026-07-01").contentType("application/json")
                .body(whole.toString()).post(app.resolve("/simulator/v1/messages")).then().statusCode(200)
                .extract().as(JsonNode.class).path("usage").path("iterations");
        assertThat(hops.size()).isEqualTo(2);
        BigDecimal expected = price(hops.get(0), 8, 40).add(price(hops.get(1), 4, 20));
        assertThat(done.path("cost").path("totalUsd").decimalValue()).isEqualByComparingTo(expected);
        assertThat(done.path("usage").path("inputTokens").asLong())
                .isEqualTo(hops.get(0).path("input_tokens").asLong() + hops.get(1).path("input_tokens").asLong());
    }

    private static BigDecimal price(JsonNode hop, int input, int output) {
        return BigDecimal.valueOf(hop.path("input_tokens").asLong() * input
                + hop.path("output_tokens").asLong() * output).divide(MILLION, 12, RoundingMode.UNNECESSARY);
    }
}
