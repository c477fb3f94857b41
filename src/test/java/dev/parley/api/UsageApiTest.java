package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code GET /v1/usage} over the ledger. Tests in one JVM run one at a time and ledger rows carry their turn's start,
 * so a range starting with the test holds only this test's turns.
 */
@QuarkusTest
class UsageApiTest {

    @TestHTTPResource("/")
    URI app;

    @Test
    void usageIsSummedPerGroupExactlyAsTheDoneEventsSaid() {
        Instant start = Instant.now().minusMillis(1);
        SseTestClient sse = new SseTestClient(app);
        List<JsonNode> done = List.of(
                sse.stream(ChatStreamTest.body("[[sim:reply=One.]]", "plain")).last().data(),
                sse.stream(ChatStreamTest.body("[[sim:reply=Two words.]]", "plain")).last().data(),
                sse.stream(ChatStreamTest.body("[[sim:reply=Three.]]", "concise")).last().data());
        String range = "from=" + start + "&to=" + Instant.now().plusSeconds(5);

        JsonNode byAssistant = await().atMost(Duration.ofSeconds(10)).until(
                () -> usage(range + "&groupBy=assistant"), report -> report.path("total").path("turns").asLong() == 3);
        JsonNode groups = byAssistant.path("groups");
        assertThat(groups.size()).isEqualTo(2);
        assertThat(groups.get(0).path("key").asText()).isEqualTo("concise");
        assertThat(groups.get(1).path("key").asText()).isEqualTo("plain");
        assertThat(groups.get(1).path("turns").asLong()).isEqualTo(2);
        assertThat(groups.get(1).path("inputTokens").asLong()).isEqualTo(
                done.get(0).path("usage").path("inputTokens").asLong()
                        + done.get(1).path("usage").path("inputTokens").asLong());
        BigDecimal expectedTotal = done.stream().map(d -> d.path("cost").path("totalUsd").decimalValue())
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(byAssistant.path("total").path("costUsd").decimalValue()).isEqualByComparingTo(expectedTotal);

        JsonNode byDay = usage(range + "&groupBy=day");
        assertThat(byDay.path("groups").get(0).path("key").asText())
                .isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        assertThat(byDay.path("groups").get(0).path("turns").asLong()).isEqualTo(3);
    }

    @Test
    void thinkingTokensAndWhatCachingSavedAreSummedExactlyAsTheDoneEventsSaid() {
        Instant start = Instant.now().minusMillis(1);
        SseTestClient sse = new SseTestClient(app);
        JsonNode cached = sse.stream(ChatStreamTest.body("[[sim:cache-min=16]] "
                + "[[sim:tool=get_current_time {\"timezone\":\"UTC\"}]] "
                + "[[sim:tool@2=calculate {\"expression\":\"5*4\"}]]", "cached-loop")).last().data();
        JsonNode thinking = sse.stream(ChatStreamTest.body("Why? [[sim:thinking=12]] [[sim:reply=Because.]]",
                "thinker")).last().data();
        JsonNode unpriced = sse.stream(ChatStreamTest.body("[[sim:reply=Free?]]", "unpriced")).last().data();
        assertThat(unpriced.path("cost").isNull()).isTrue();
        String range = "from=" + start + "&to=" + Instant.now().plusSeconds(5) + "&groupBy=assistant";

        JsonNode report = await().atMost(Duration.ofSeconds(10)).until(() -> usage(range),
                r -> r.path("total").path("turns").asLong() == 3);

        JsonNode groups = report.path("groups");
        assertThat(groups.findValuesAsText("key")).containsExactly("cached-loop", "thinker", "unpriced");
        BigDecimal saved = ChatStreamTest.usd(cached.path("cost").path("savedUsd"));
        assertThat(saved.signum()).isPositive();
        assertThat(ChatStreamTest.usd(groups.get(0).path("savedUsd"))).isEqualByComparingTo(saved);
        assertThat(groups.get(1).path("thinkingTokens").asLong()).isEqualTo(12)
                .isEqualTo(thinking.path("usage").path("thinkingTokens").asLong());
        assertThat(ChatStreamTest.usd(groups.get(1).path("savedUsd")))
                .isEqualByComparingTo(thinking.path("cost").path("savedUsd").decimalValue());
        // A group of unpriced turns saved nothing known: zero, like its cost, and unpricedTurns says why.
        assertThat(ChatStreamTest.usd(groups.get(2).path("savedUsd"))).isZero();
        assertThat(groups.get(2).path("unpricedTurns").asLong()).isEqualTo(1);
        JsonNode total = report.path("total");
        assertThat(total.path("thinkingTokens").asLong()).isEqualTo(12 + cached.path("usage").path("thinkingTokens")
                .asLong());
        assertThat(ChatStreamTest.usd(total.path("savedUsd"))).isEqualByComparingTo(
                saved.add(thinking.path("cost").path("savedUsd").decimalValue()));
        assertThat(ChatStreamTest.usd(total.path("costUsd"))).isEqualByComparingTo(cached.path("cost")
                .path("totalUsd").decimalValue().add(thinking.path("cost").path("totalUsd").decimalValue()));
    }

    @Test
    void unknownGroupingIsA400Problem() {
        given().get(app.resolve("/v1/usage?groupBy=planet")).then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("invalid_request"));
        given().get(app.resolve("/v1/usage?from=yesterday")).then().statusCode(400);
    }

    @Test
    void instantBeyondFourDigitYearsIsA400ProblemNotAnOverflow() {
        for (String query : List.of("from=-999999999-01-01T00:00:00Z", "to=%2B999999999-12-31T23:59:59Z",
                "from=%2B10000-01-01T00:00:00Z&to=%2B10001-01-01T00:00:00Z")) {
            given().urlEncodingEnabled(false).header("X-Request-Id", "usage-range-1")
                    .get(app.resolve("/v1/usage?" + query)).then()
                    .statusCode(400).contentType("application/problem+json").header("X-Request-Id", "usage-range-1")
                    .body("code", equalTo("invalid_request")).body("requestId", equalTo("usage-range-1"));
        }
        given().get(app.resolve("/v1/usage?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z")).then()
                .statusCode(200);
    }

    private JsonNode usage(String query) {
        return SseTestClient.JSON.valueToTree(given().get(app.resolve("/v1/usage?" + query)).then().statusCode(200)
                .extract().as(JsonNode.class));
    }
}
