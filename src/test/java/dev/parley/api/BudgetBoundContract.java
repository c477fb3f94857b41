package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.response.Response;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * Budgets hold when the upstream counts a short request as many tokens (the simulator's {@code input-tokens}
 * directive: 20,000 tokens, $0.06 of Sonnet 4.6 input): the reservation before the call is the counted input plus
 * {@code maxTokens} of output, so what the ledger holds never passes the limit, one turn after the other or many at
 * once. Run against each store: {@link EmbeddedBudgetBoundTest} and {@link PostgresBudgetBoundTest}.
 */
abstract class BudgetBoundContract {

    /** Every caller's day: three of these turns ($0.0604 each, $0.0616 at worst) fit, a fourth does not. */
    static final BigDecimal DAILY = new BigDecimal("0.20");
    static final BigDecimal SMALL_DAILY = new BigDecimal("0.02");

    /**
     * A caller whose budget ($0.02) does not pay for even one such turn's input; new per JVM, as the PostgreSQL ledger
     * outlives test runs. A system property, because the test profile and the test may be loaded by different class
     * loaders.
     */
    static String smallCaller() {
        return System.getProperties().computeIfAbsent("parley.test.small-caller", key -> "small-" + UUID.randomUUID())
                .toString();
    }

    static Map<String, String> budgets() {
        return Map.of("parley.auth.mode", "gateway", "parley.budgets.default.daily-usd", DAILY.toPlainString(),
                "parley.budgets.callers." + smallCaller() + ".daily-usd", SMALL_DAILY.toPlainString());
    }

    @TestHTTPResource("/")
    URI app;

    @Inject
    @Any
    InjectableInstance<AgroalDataSource> datasources;

    @ConfigProperty(name = "parley.ledger.store")
    String store;

    String caller;
    String id;

    @BeforeEach
    void newCaller() {
        caller = "bound-" + UUID.randomUUID();
        id = ChatStreamTest.uniqueId();
    }

    @Test
    void aShortRequestCountedAsManyTokensIsRefusedBeforeTheCallWhenItsInputAloneBreaksTheBudget() throws Exception {
        SseTestClient small = new SseTestClient(app, Map.of("X-Parley-Caller", smallCaller()));
        for (int attempt = 0; attempt < 4; attempt++) {
            StreamReply reply = small.stream(heavyTurn());
            assertThat(reply.status()).isEqualTo(429);
            assertThat(reply.body()).contains("\"code\":\"budget_exceeded\"");
        }
        assertThat(small.simulatorCounter(id, "tokenCounts")).isEqualTo(4);
        assertThat(small.simulatorCounter(id, "requests")).as("no call reached the upstream").isZero();
        assertThat(ledger(smallCaller()).turns()).isZero();
    }

    @Test
    void sequentialTurnsStopOnceTheNextUpperBoundNoLongerFits() throws Exception {
        SseTestClient sse = new SseTestClient(app, Map.of("X-Parley-Caller", caller));
        BigDecimal spent = BigDecimal.ZERO;
        int done = 0;
        StreamReply reply;
        while ((reply = sse.stream(heavyTurn())).status() == 200 && done < 10) {
            assertThat(reply.last().event()).isEqualTo("done");
            assertThat(reply.last().data().path("usage").path("inputTokens").asLong()).isGreaterThan(20_000);
            spent = spent.add(reply.last().data().path("cost").path("totalUsd").decimalValue());
            done++;
            awaitRows(done);
        }
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.body()).contains("\"code\":\"budget_exceeded\"");
        assertThat(done).isEqualTo(3);
        Spend ledger = ledger(caller);
        assertThat(ledger.turns()).isEqualTo(3);
        assertThat(ledger.usd()).isEqualByComparingTo(spent).isLessThanOrEqualTo(DAILY);
    }

    @Test
    void concurrentTurnsTogetherStayWithinTheBudget() throws Exception {
        SseTestClient sse = new SseTestClient(app, Map.of("X-Parley-Caller", caller));
        List<CompletableFuture<StreamReply>> turns = new ArrayList<>();
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < 8; i++) {
            // Paced, so that the turns overlap: each holds its bound while the others reserve.
            turns.add(CompletableFuture.supplyAsync(() -> sse.stream(heavyTurn("[[sim:ttft=800ms]] ")), clients));
        }
        clients.close();
        int done = 0;
        for (CompletableFuture<StreamReply> turn : turns) {
            StreamReply reply = turn.join();
            if (reply.status() == 200) {
                assertThat(reply.last().event()).as(reply.body()).isEqualTo("done");
                done++;
            } else {
                assertThat(reply.status()).isEqualTo(429);
                assertThat(reply.body()).contains("\"code\":\"budget_exceeded\"");
            }
        }
        assertThat(done).isBetween(1, 3);
        awaitRows(done);
        assertThat(ledger(caller).usd()).isLessThanOrEqualTo(DAILY);
        assertThat(sse.simulatorCounter(id, "requests")).isEqualTo(done);
    }

    @Test
    void aTokenCountThatFailsRefusesTheTurnRatherThanSpendingUnchecked() throws Exception {
        given().contentType("application/json").body("{\"fault\":\"529 retry-after=7\"}")
                .post(app.resolve("/simulator/admin/faults")).then().statusCode(204);
        Response refused = given().header("X-Parley-Caller", caller).contentType("application/json")
                .body(heavyTurn()).post(app.resolve("/v1/chat/stream"));
        refused.then().statusCode(503).contentType(Problem.MEDIA_TYPE).body("code", equalTo("budget_unavailable"));
        assertThat(refused.header("Retry-After")).isEqualTo("7");
        assertThat(refused.header("X-Request-Id")).isNotBlank();
        assertThat(new SseTestClient(app).simulatorCounter(id, "requests")).isZero();
    }

    /** A short request that the upstream counts as 20,000 tokens of input, with 20 tokens of reply. */
    private String heavyTurn() {
        return heavyTurn("");
    }

    private String heavyTurn(String directives) {
        return "{\"message\":\"[[sim:id=" + id + "]] [[sim:input-tokens=20000]] [[sim:tokens=20]] " + directives
                + "Hi\",\"assistant\":\"plain\",\"maxTokens\":100}";
    }

    record Spend(long turns, BigDecimal usd) {
    }

    private void awaitRows(int turns) {
        await().atMost(Duration.ofSeconds(10)).until(() -> ledger(caller).turns() == turns);
    }

    /** What the ledger holds for a caller: its rows and their cost. */
    Spend ledger(String whose) throws SQLException {
        String name = "embedded".equals(store) ? "ledger-h2" : "ledger-pg";
        AgroalDataSource database = datasources.select(new DataSource.DataSourceLiteral(name)).get();
        try (Connection connection = database.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT COUNT(*), COALESCE(SUM(cost_usd), 0) FROM usage_ledger WHERE caller = ?")) {
            select.setString(1, whose);
            try (ResultSet result = select.executeQuery()) {
                result.next();
                return new Spend(result.getLong(1), result.getBigDecimal(2));
            }
        }
    }
}
