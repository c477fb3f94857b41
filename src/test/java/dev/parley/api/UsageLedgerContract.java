package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.test.common.http.TestHTTPResource;

import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.LedgerRows;

/**
 * The usage ledger's behaviour through the real chat API, run against each store: {@link EmbeddedUsageLedgerTest}
 * (H2) and {@link PostgresUsageLedgerTest} (the PostgreSQL server on this machine). Rows are written asynchronously,
 * so every check awaits its row.
 */
abstract class UsageLedgerContract {

    @TestHTTPResource("/")
    URI app;

    @Inject
    @Any
    InjectableInstance<AgroalDataSource> datasources;

    @ConfigProperty(name = "parley.ledger.store")
    String store;

    SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
    }

    @Test
    void completedTurnWritesOneRowWithTheDoneEventsUsageAndCost() {
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:tokens=12]]", "plain"));
        assertThat(reply.names()).last().isEqualTo("done");
        JsonNode done = reply.last().data();

        Map<String, Object> row = awaitRow(reply.header("x-request-id"));

        assertThat(row).containsEntry("outcome", "ok").containsEntry("caller", "anonymous")
                .containsEntry("assistant", "plain").containsEntry("model", "claude-sonnet-4-6")
                .containsEntry("rounds", 1).containsEntry("output_tokens_final", true)
                .containsEntry("conversation_id", null);
        assertUsageMatches(row, done);
        assertThat(done.path("turnId").asText()).isEqualTo(reply.header("x-turn-id")).isEqualTo(row.get("turn_id"));
        assertThat(row.get("time_to_first_token_ms")).isNotNull();
        assertThat((Long) row.get("duration_ms")).isGreaterThanOrEqualTo((Long) row.get("time_to_first_token_ms"));
        assertThat(row.get("occurred_at")).isNotNull();
    }

    @Test
    void upstreamErrorAfterPartialOutputWritesTheErrorEventsUsage() {
        StreamReply reply = sse.stream(
                ChatStreamTest.body("[[sim:tokens=10]] [[sim:fault=error-event after=3]]", "plain"));
        assertThat(reply.names()).last().isEqualTo("error");
        JsonNode error = reply.last().data();

        Map<String, Object> row = awaitRow(reply.header("x-request-id"));

        assertThat(row).containsEntry("outcome", "upstream_error").containsEntry("output_tokens_final", false)
                .containsEntry("rounds", 1);
        assertThat((Long) row.get("output_tokens")).isPositive();
        assertUsageMatches(row, error);
        assertThat(error.path("turnId").asText()).isEqualTo(reply.header("x-turn-id"))
                .isEqualTo(row.get("turn_id"));
    }

    @Test
    void cancelledStreamWritesItsPartialUsage() {
        String requestId = "ledger-cancel-" + ChatStreamTest.uniqueId();
        sse.streamAndHangUp(ChatStreamTest.body("[[sim:tokens=200]] [[sim:delay=50ms]]", "plain"),
                frame -> "text".equals(frame.event()), requestId);

        Map<String, Object> row = awaitRow(requestId);

        assertThat(row).containsEntry("outcome", "client_cancelled").containsEntry("rounds", 1)
                .containsEntry("output_tokens_final", false);
        assertThat((Long) row.get("input_tokens")).isPositive();
        assertThat((BigDecimal) row.get("cost_usd")).isPositive();
    }

    @Test
    void toolLoopTurnCountsItsRounds() {
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:tool=calculate {\"expression\":\"2+3\"}]]",
                "toolbox"));
        assertThat(reply.names()).contains("tool_call", "tool_result").last().isEqualTo("done");
        JsonNode done = reply.last().data();

        Map<String, Object> row = awaitRow(reply.header("x-request-id"));

        assertThat(row).containsEntry("outcome", "ok").containsEntry("rounds", 2).containsEntry("assistant",
                "toolbox");
        assertUsageMatches(row, done);
    }

    @Test
    void conversationTurnRecordsItsConversation() {
        StreamReply reply = sse.stream("{\"message\":\"Hello\",\"assistant\":\"plain\",\"startConversation\":true}");
        String conversationId = reply.last().data().path("conversationId").asText();
        assertThat(conversationId).isNotBlank();

        assertThat(awaitRow(reply.header("x-request-id"))).containsEntry("conversation_id", conversationId);
    }

    @Test
    void aRequestIdReusedByTheClientLosesNoTurn() throws SQLException {
        // Request ids may come from clients and repeat; every turn is a row of its own (keyed by parley's turn id).
        String requestId = "ledger-twice-" + ChatStreamTest.uniqueId();
        sse.streamAndHangUp(ChatStreamTest.body("Hi", "plain"), frame -> "done".equals(frame.event()), requestId);
        awaitRow(requestId);
        sse.streamAndHangUp(ChatStreamTest.body("Hi again", "plain"), frame -> "done".equals(frame.event()),
                requestId);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(requestId) == 2);
    }

    @Test
    void aCachedToolLoopsRowNamesEachRoundAsDoneDidAndSavesWhatDoneSaid() throws SQLException {
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:cache-min=16]] "
                + "[[sim:tool=get_current_time {\"timezone\":\"UTC\"}]] "
                + "[[sim:tool@2=calculate {\"expression\":\"5*4\"}]]", "cached-loop"));
        assertThat(reply.names()).last().isEqualTo("done");
        JsonNode done = reply.last().data();

        Map<String, Object> row = awaitRow(reply.header("x-request-id"));

        assertUsageMatches(row, done);
        BigDecimal saved = ChatStreamTest.usd(done.path("cost").path("savedUsd"));
        assertThat(saved.signum()).as("later rounds read the earlier ones from the cache").isPositive();
        assertThat((BigDecimal) row.get("saved_usd")).isEqualByComparingTo(saved);
        assertThat(row).containsEntry("rounds", 3).containsEntry("stop_reason", "end_turn")
                .containsEntry("service_tier", done.path("serviceTier").asText())
                .containsEntry("served_models", "claude-sonnet-4-6").containsEntry("stop_details", null);
        List<Map<String, Object>> rounds = LedgerRows.rounds(ledgerDatabase(), reply.header("x-turn-id"));
        JsonNode doneRounds = done.path("rounds");
        assertThat(rounds).hasSize(doneRounds.size()).hasSize(3);
        for (int i = 0; i < rounds.size(); i++) {
            JsonNode round = doneRounds.get(i);
            assertThat(rounds.get(i)).containsEntry("round", i + 1)
                    .containsEntry("upstream_request_id", round.path("upstreamRequestId").asText())
                    .containsEntry("message_id", round.path("messageId").asText())
                    .containsEntry("served_by", "claude-sonnet-4-6");
        }
        // Reconciliation's question, from the upstream's console back to parley: which turn was this message?
        String lastMessage = doneRounds.get(2).path("messageId").asText();
        assertThat(LedgerRows.select(ledgerDatabase(), "SELECT l.turn_id, l.request_id FROM usage_ledger_round r "
                + "JOIN usage_ledger l ON l.turn_id = r.turn_id WHERE r.message_id = ?", lastMessage))
                .singleElement().isEqualTo(Map.of("turn_id", reply.header("x-turn-id"), "request_id",
                        reply.header("x-request-id")));
    }

    @Test
    void aTurnHandedToAFallbackModelNamesItInItsRowAndRoundsAndPricesItThere() throws SQLException {
        String id = ChatStreamTest.uniqueId();
        // Round 1 on Sonnet 4.6 calls the tool; round 2's three attempts fail there, so Haiku 4.5 answers it.
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] "
                + "[[sim:tool=get_stock_price]] [[sim:fault=none]] [[sim:fault=529 times=3]]",
                "standby"));
        assertThat(reply.last().event()).isEqualTo("done");
        JsonNode done = reply.last().data();

        Map<String, Object> row = awaitRow(reply.header("x-request-id"));
        assertUsageMatches(row, done);
        assertThat(row).containsEntry("model", "claude-sonnet-4-6").containsEntry("rounds", 2)
                .containsEntry("served_models", "claude-sonnet-4-6,claude-haiku-4-5");
        assertThat(LedgerRows.rounds(ledgerDatabase(), reply.header("x-turn-id")))
                .extracting(round -> round.get("served_by")).containsExactly("claude-sonnet-4-6", "claude-haiku-4-5");
    }

    @Test
    void aThinkingTurnsRowCountsItsThinkingTokens() {
        StreamReply reply = sse.stream(ChatStreamTest.body("Why? [[sim:thinking=12]] [[sim:reply=Because.]]",
                "thinker"));
        JsonNode done = reply.last().data();
        assertThat(done.path("usage").path("thinkingTokens").asLong()).isEqualTo(12);

        Map<String, Object> row = awaitRow(reply.header("x-request-id"));

        assertThat(row).containsEntry("thinking_tokens", 12L).containsEntry("served_models", "claude-opus-5-5");
        assertUsageMatches(row, done);
    }

    @Test
    void aRefusalsRowKeepsItsStopDetailsAsTheUpstreamSentThem() throws Exception {
        StreamReply reply = sse.stream(ChatStreamTest.body("No [[sim:stop=refusal]]", "plain"));
        JsonNode done = reply.last().data();

        Map<String, Object> row = awaitRow(reply.header("x-request-id"));

        assertThat(row).containsEntry("stop_reason", "refusal");
        assertThat(SseTestClient.JSON.readTree((String) row.get("stop_details")))
                .isEqualTo(done.path("stopDetails"));
    }

    void assertUsageMatches(Map<String, Object> row, JsonNode event) {
        JsonNode usage = event.path("usage");
        assertThat(row.get("input_tokens")).isEqualTo(usage.path("inputTokens").asLong());
        assertThat(row.get("output_tokens")).isEqualTo(usage.path("outputTokens").asLong());
        assertThat(row.get("cache_read_input_tokens")).isEqualTo(usage.path("cacheReadInputTokens").asLong());
        assertThat(row.get("cache_write_5m_input_tokens")).isEqualTo(usage.path("cacheWrite5mInputTokens").asLong());
        assertThat(row.get("cache_write_1h_input_tokens")).isEqualTo(usage.path("cacheWrite1hInputTokens").asLong());
        assertThat(row.get("thinking_tokens")).isEqualTo(usage.path("thinkingTokens").asLong());
        assertThat((BigDecimal) row.get("cost_usd"))
                .isEqualByComparingTo(event.path("cost").path("totalUsd").decimalValue());
    }

    Map<String, Object> awaitRow(String requestId) {
        assertThat(requestId).isNotBlank();
        return await().atMost(Duration.ofSeconds(10)).until(() -> row(requestId), Optional::isPresent).get();
    }

    AgroalDataSource ledgerDatabase() {
        String name = "embedded".equals(store) ? "ledger-h2" : "ledger-pg";
        return datasources.select(new DataSource.DataSourceLiteral(name)).get();
    }

    Optional<Map<String, Object>> row(String requestId) throws SQLException {
        return LedgerRows.byRequestId(ledgerDatabase(), requestId);
    }

    long count(String requestId) throws SQLException {
        try (Connection connection = ledgerDatabase().getConnection();
                PreparedStatement select = connection
                        .prepareStatement("SELECT COUNT(*) FROM usage_ledger WHERE request_id = ?")) {
            select.setString(1, requestId);
            try (ResultSet result = select.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

}
