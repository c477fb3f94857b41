package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;

/**
 * Two parley processes sharing one PostgreSQL ledger cannot together overspend a caller's budget: 50 identical
 * requests, sent at once and split between them, against a budget that pays for k of them, succeed at most k times,
 * and the ledger holds no more than the budget.
 */
@PackagedJar
class BudgetAcrossReplicasIT {

    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final BigDecimal DAILY = new BigDecimal("0.005");
    private static final Pattern COST = Pattern.compile("\"cost\":\\{\"totalUsd\":([0-9.Ee-]+)");

    @Test
    void concurrentRequestsThroughTwoReplicasStayWithinTheBudget() throws Exception {
        Map<String, String> environment = Map.of(
                "PARLEY_AUTH_MODE", "gateway",
                "PARLEY_SIMULATOR_ENABLED", "true",
                "ANTHROPIC_BASE_URL", "embedded",
                "ANTHROPIC_API_KEY", "parley-simulator-key",
                "PARLEY_LEDGER_STORE", "postgresql",
                "PARLEY_LEDGER_JDBC_URL", POSTGRES,
                "PARLEY_LEDGER_USERNAME", "postgres",
                "PARLEY_BUDGETS_DEFAULT_DAILY_USD", DAILY.toPlainString());
        String caller = "replicas-" + UUID.randomUUID();
        try (ParleyProcess first = ParleyProcess.start("replica-1", environment);
                ParleyProcess second = ParleyProcess.start("replica-2", environment)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                URI replica = (i % 2 == 0 ? first : second).uri();
                // Identical requests cost exactly the same: 100 tokens of output, paced so they overlap.
                replies.add(client.sendAsync(HttpRequest.newBuilder(replica.resolve("/v1/chat/stream"))
                        .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
                        .header("X-Parley-Caller", caller)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"message\":\"[[sim:tokens=100]] [[sim:delay=10ms]] Go\",\"maxTokens\":100,"
                                        + "\"assistant\":\"concise\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            int succeeded = 0;
            int refused = 0;
            BigDecimal cost = null;
            for (CompletableFuture<HttpResponse<String>> reply : replies) {
                HttpResponse<String> response = reply.join();
                if (response.statusCode() == 429) {
                    assertThat(response.body()).contains("\"code\":\"budget_exceeded\"");
                    refused++;
                    continue;
                }
                assertThat(response.statusCode()).isEqualTo(200);
                if (response.body().contains("event: done")) {
                    Matcher matcher = COST.matcher(response.body().substring(response.body().indexOf("event: done")));
                    assertThat(matcher.find()).isTrue();
                    cost = new BigDecimal(matcher.group(1));
                    succeeded++;
                }
            }
            assertThat(cost).as("at least one request succeeds").isNotNull();
            int affordable = DAILY.divide(cost, 0, RoundingMode.FLOOR).intValueExact();
            assertThat(affordable).as("the budget pays for a few of the 50").isBetween(2, 40);
            assertThat(succeeded).isBetween(1, affordable);
            assertThat(refused).isPositive();
            int rows = succeeded;
            await().atMost(Duration.ofSeconds(20)).until(() -> ledger(caller, "COUNT(*)").intValueExact() == rows);
            assertThat(ledger(caller, "SUM(cost_usd)")).isLessThanOrEqualTo(DAILY);
        }
    }

    private static BigDecimal ledger(String caller, String aggregate) throws Exception {
        try (Connection connection = DriverManager.getConnection(POSTGRES, "postgres", "");
                PreparedStatement sum = connection.prepareStatement(
                        "SELECT COALESCE(" + aggregate + ", 0) FROM usage_ledger WHERE caller = ?")) {
            sum.setString(1, caller);
            try (ResultSet row = sum.executeQuery()) {
                row.next();
                return row.getBigDecimal(1);
            }
        }
    }
}
