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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.parley.harness.Metrics;

/**
 * Budgets through the API, each test its own caller (behind a gateway) with the default budget of $0.05 a day: the
 * worst case is reserved before the call (or refused with 429 until midnight UTC), held while the turn runs, settled
 * to the cost when its ledger row is stored, and a later round that no longer fits ends the stream.
 */
@QuarkusTest
@TestProfile(BudgetTest.FiveCentsADay.class)
class BudgetTest {

    static final BigDecimal DAILY = new BigDecimal("0.05");

    /** Every caller has $0.05 a day and $1 a month. */
    public static class FiveCentsADay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.auth.mode", "gateway", "parley.budgets.default.daily-usd", DAILY.toPlainString(),
                    "parley.budgets.default.monthly-usd", "1");
        }
    }

    @TestHTTPResource("/")
    URI app;

    String caller;
    SseTestClient sse;

    @BeforeEach
    void newCaller() {
        caller = "budget-" + UUID.randomUUID();
        sse = new SseTestClient(app, Map.of("X-Parley-Caller", caller));
    }

    @Test
    void aWorstCaseOverTheBudgetIsRefusedBeforeTheCallUntilMidnight() {
        String id = ChatStreamTest.uniqueId();
        long untilMidnightBefore = secondsUntilMidnight();
        // 4096 tokens of Sonnet 4.6 output alone cost $0.06144.
        Response refused = given().header("X-Parley-Caller", caller).contentType("application/json")
                .body("{\"message\":\"[[sim:id=" + id + "]] Hi\",\"maxTokens\":4096}").post("/v1/chat/stream");
        refused.then().statusCode(429).contentType(Problem.MEDIA_TYPE).body("code", equalTo("budget_exceeded"));
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(secondsUntilMidnight(),
                untilMidnightBefore + 1);
        assertThat(sse.simulatorCounter(id, "requests")).isZero();
        assertThat(budgetWindow("day").get("reservedUsd").decimalValue()).isZero();
        assertThat(metric("parley_chat_rejections_total", "reason=\"budget_exceeded\"")).isPositive();
        assertThat(metric("parley_budget_refusals_total", "window=\"day\"")).isPositive();
        assertThat(metric("parley_chat_requests_total", "outcome=\"rejected\"")).isPositive();
    }

    @Test
    void aRunningTurnHoldsItsWorstCaseAndSettlesToItsCost() {
        CompletableFuture<SseTestClient.StreamReply> turn = CompletableFuture.supplyAsync(
                () -> sse.stream("{\"message\":\"[[sim:ttft=1000ms]] [[sim:tokens=20]] Hi\",\"maxTokens\":100}"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> budgetWindow("day").get("reservedUsd").decimalValue().signum() > 0);
        // 100 tokens of output at $15 per million, plus the input estimate.
        assertThat(budgetWindow("day").get("reservedUsd").decimalValue()).isGreaterThan(new BigDecimal("0.0015"));

        SseTestClient.StreamReply reply = turn.join();
        assertThat(reply.last().event()).isEqualTo("done");
        BigDecimal cost = reply.last().data().path("cost").path("totalUsd").decimalValue();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> budgetWindow("day").get("reservedUsd").decimalValue().signum() == 0);
        JsonNode day = budgetWindow("day");
        assertThat(day.get("spentUsd").decimalValue()).isEqualByComparingTo(cost);
        assertThat(day.get("remainingUsd").decimalValue()).isEqualByComparingTo(DAILY.subtract(cost));
        assertThat(budgetWindow("month").get("spentUsd").decimalValue()).isEqualByComparingTo(cost);
    }

    @Test
    void spendAddsUpUntilTheNextWorstCaseNoLongerFits() {
        BigDecimal spent = BigDecimal.ZERO;
        int done = 0;
        int status;
        do {
            // Each turn costs about $0.009 and may cost up to about $0.017.
            SseTestClient.StreamReply reply = sse
                    .stream("{\"message\":\"[[sim:tokens=500]] Tell me more\",\"maxTokens\":1000}");
            status = reply.status();
            if (status == 200) {
                assertThat(reply.last().event()).isEqualTo("done");
                spent = spent.add(reply.last().data().path("cost").path("totalUsd").decimalValue());
                done++;
                awaitSettled();
            }
        } while (status == 200 && done < 10);
        assertThat(status).isEqualTo(429);
        assertThat(done).isBetween(3, 5);
        JsonNode day = budgetWindow("day");
        assertThat(day.get("spentUsd").decimalValue()).isEqualByComparingTo(spent).isLessThanOrEqualTo(DAILY);
    }

    @Test
    void aLaterRoundThatNoLongerFitsEndsTheStreamWithBudgetExhausted() {
        // First spend about half of the day's budget.
        SseTestClient.StreamReply first = sse.stream("{\"message\":\"[[sim:tokens=1500]] Go\",\"maxTokens\":2000}");
        assertThat(first.last().event()).isEqualTo("done");
        awaitSettled();
        StringBuilder rounds = new StringBuilder();
        for (int round = 1; round <= 9; round++) {
            rounds.append("[[sim:tool@").append(round).append("=calculate {\\\"expression\\\":\\\"").append(round)
                    .append("+1\\\"}]] ");
        }
        SseTestClient.StreamReply reply = sse.stream("{\"message\":\"" + rounds + "Count\",\"maxTokens\":1000}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.names()).contains("tool_call", "tool_result");
        assertThat(reply.last().event()).isEqualTo("error");
        JsonNode error = reply.last().data().path("error");
        assertThat(error.path("code").asText()).isEqualTo("budget_exhausted");
        assertThat(error.path("retryAfterSeconds").asLong()).isPositive();
        awaitSettled();
        assertThat(budgetWindow("day").get("spentUsd").decimalValue()).isLessThanOrEqualTo(DAILY);
    }

    @Test
    void aModelWithoutAPriceCannotBeUsedOnABudget() {
        given().header("X-Parley-Caller", caller).contentType("application/json")
                .body(ChatStreamTest.body("Hi", "unpriced")).post("/v1/chat").then()
                .statusCode(403).body("code", equalTo("model_unpriced"));
    }

    @Test
    void onlyAnAdminReadsAnotherCallersBudget() {
        given().header("X-Parley-Caller", caller).get("/v1/budget?caller=someone-else").then().statusCode(403)
                .body("code", equalTo("forbidden"));
        given().header("X-Parley-Caller", caller).get("/v1/budget").then().statusCode(200)
                .body("caller", equalTo(caller)).body("windows.window", equalTo(List.of("day", "month")));
    }

    private static long secondsUntilMidnight() {
        return Duration.between(Instant.now(),
                LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()).toSeconds();
    }

    private void awaitSettled() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> budgetWindow("day").get("reservedUsd").decimalValue().signum() == 0);
    }

    private JsonNode budgetWindow(String window) {
        for (JsonNode entry : sse.getJson("/v1/budget").path("windows")) {
            if (entry.path("window").asText().equals(window)) {
                return entry;
            }
        }
        throw new AssertionError("no " + window + " window for " + caller);
    }

    private static double metric(String name, String label) {
        return Metrics.samples(given().get("/q/metrics").then().statusCode(200).extract().asString()).entrySet()
                .stream().filter(sample -> sample.getKey().startsWith(name + "{") && sample.getKey().contains(label))
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
