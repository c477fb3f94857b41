package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * A ledger database that hangs (frozen behind the tests' TCP proxy: connections accepted, nothing answered) holds no
 * request: budget calls answer 503 {@code budget_unavailable} within {@code parley.budgets.timeout} (or a turn's
 * shorter deadline), {@code GET /v1/usage} 503 {@code ledger_unavailable} within {@code parley.ledger.read-timeout},
 * each with {@code Retry-After} and {@code X-Request-Id}; and many of them at once leave the service answering.
 */
@QuarkusTest
@TestProfile(BudgetStoreOutageTest.FrozenBehindASwitch.class)
class BudgetStoreOutageTest {

    /** The bound of the budget's and the ledger's calls in this test. */
    static final Duration BOUND = Duration.ofSeconds(2);
    /** What a busy machine may add to a bound. */
    static final Duration SLACK = Duration.ofMillis(1500);

    public static class FrozenBehindASwitch implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.auth.mode", "gateway", "parley.budgets.default.daily-usd", "1",
                    "parley.budgets.timeout", BOUND.toMillis() + "ms",
                    "parley.ledger.read-timeout", BOUND.toMillis() + "ms",
                    "parley.ledger.store", "postgresql", "quarkus.datasource.ledger-pg.jdbc.url",
                    "jdbc:postgresql://127.0.0.1:" + TcpSwitch.to(5432).port() + "/test");
        }
    }

    @TestHTTPResource("/")
    URI app;

    String caller;
    SseTestClient sse;

    @BeforeEach
    void newCallerWithOneTurnDone() {
        caller = "frozen-" + UUID.randomUUID();
        sse = new SseTestClient(app, Map.of("X-Parley-Caller", caller));
        // A first turn while the database answers: what is built on first use is built before the clock runs.
        assertThat(sse.stream("{\"message\":\"[[sim:tokens=2]] Hi\",\"assistant\":\"plain\"}").last().event())
                .isEqualTo("done");
        given().header("X-Parley-Caller", caller).get(app.resolve("/v1/budget")).then().statusCode(200);
    }

    @AfterEach
    void databaseBack() {
        TcpSwitch.to(5432).up();
        await().atMost(Duration.ofSeconds(30)).until(() -> given().header("X-Parley-Caller", caller)
                .get(app.resolve("/v1/budget")).statusCode() == 200);
    }

    @Test
    void budgetAndUsageAnswer503WithinTheirBoundWhileTheDatabaseHangs() {
        TcpSwitch.to(5432).freeze();

        long start = System.nanoTime();
        Response budget = given().header("X-Parley-Caller", caller).get(app.resolve("/v1/budget"));
        assertWithinBound(start, BOUND);
        unavailable(budget, "budget_unavailable");

        start = System.nanoTime();
        Response usage = given().header("X-Parley-Caller", caller).get(app.resolve("/v1/usage"));
        assertWithinBound(start, BOUND);
        unavailable(usage, "ledger_unavailable");
    }

    @Test
    void aBudgetedChatIsRefusedWithinTheBoundWhileTheDatabaseHangs() {
        String id = ChatStreamTest.uniqueId();
        TcpSwitch.to(5432).freeze();

        long start = System.nanoTime();
        Response refused = given().header("X-Parley-Caller", caller).contentType("application/json")
                .body("{\"message\":\"[[sim:id=" + id + "]] Hi\",\"assistant\":\"plain\"}")
                .post(app.resolve("/v1/chat/stream"));
        assertWithinBound(start, BOUND);
        unavailable(refused, "budget_unavailable");
        assertThat(sse.simulatorCounter(id, "requests")).as("the upstream was not called").isZero();
    }

    @Test
    void aTurnWithAShorterDeadlineWaitsNoLongerThanItForItsBudget() {
        TcpSwitch.to(5432).freeze();

        long start = System.nanoTime();
        Response refused = given().header("X-Parley-Caller", caller).contentType("application/json")
                .body("{\"message\":\"Hi\",\"assistant\":\"plain\",\"deadlineMs\":300}")
                .post(app.resolve("/v1/chat/stream"));
        assertWithinBound(start, Duration.ofMillis(300));
        unavailable(refused, "budget_unavailable");
    }

    @Test
    void aLaterRoundsBudgetCheckRespectsTheTurnsDeadline() {
        String id = ChatStreamTest.uniqueId();
        long deadlineMs = 2500;
        long start = System.nanoTime();
        CompletableFuture<StreamReply> turn = CompletableFuture.supplyAsync(() -> sse.stream("{\"message\":\"[[sim:id="
                + id + "]] [[sim:tool=nap {\\\"ms\\\":1000}]] Nap\",\"assistant\":\"toolbox\",\"deadlineMs\":"
                + deadlineMs + "}"));
        // While the tool naps after round 1, the database hangs: round 2's reservation cannot be made.
        await().atMost(Duration.ofSeconds(10)).until(() -> sse.simulatorCounter(id, "streamsCompleted") == 1);
        TcpSwitch.to(5432).freeze();

        StreamReply reply = turn.join();
        assertWithinBound(start, Duration.ofMillis(deadlineMs));
        assertThat(reply.names()).contains("tool_call", "tool_result").last().isEqualTo("error");
        assertThat(reply.last().data().path("error").path("code").asText()).isIn("budget_exhausted",
                "deadline_exceeded");
        assertThat(sse.simulatorCounter(id, "requests")).as("round 2 never reached the upstream").isEqualTo(1);
    }

    @Test
    void manyBudgetCallsAtOnceLeaveTheServiceAnswering() {
        TcpSwitch.to(5432).freeze();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 60; i++) {
                String body = "{\"message\":\"Hi\",\"assistant\":\"plain\"}";
                calls.add(CompletableFuture.supplyAsync(() -> given().header("X-Parley-Caller", caller)
                        .contentType("application/json").body(body).post(app.resolve("/v1/chat/stream"))
                        .statusCode(), clients));
                calls.add(CompletableFuture.supplyAsync(() -> given().header("X-Parley-Caller", caller)
                        .get(app.resolve("/v1/budget")).statusCode(), clients));
            }
            for (CompletableFuture<Integer> call : calls) {
                assertThat(call.join()).isEqualTo(503);
            }
        }
        // 120 calls on a machine with few cores answer in waves; a call held by the database would never answer.
        assertWithinBound(start, Duration.ofSeconds(20));
        // The calls still stuck on the database hold at most the datasource's connections' worth of worker
        // threads: the rest of the service answers as usual.
        given().get(app.resolve("/q/health/live")).then().statusCode(200);
        given().header("X-Parley-Caller", caller).get(app.resolve("/v1/assistants")).then().statusCode(200);
    }

    private static void unavailable(Response response, String code) {
        response.then().statusCode(503).contentType(Problem.MEDIA_TYPE).body("code", equalTo(code));
        assertThat(Long.parseLong(response.header("Retry-After"))).isPositive();
        assertThat(response.header("X-Request-Id")).isNotBlank();
    }

    private static void assertWithinBound(long startNanos, Duration bound) {
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(bound.plus(SLACK));
    }
}
