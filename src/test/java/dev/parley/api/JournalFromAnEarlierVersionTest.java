package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.harness.LedgerRows;
import dev.parley.usage.ledger.LedgerDatabase;

/**
 * A journal left by the version before issue 18 (rows without thinking tokens, savings, stop reason, tier or rounds)
 * is replayed at start-up like any other: its rows are stored, the new columns at their defaults. The journal holds
 * each of its rows twice, as after a crash between storing a segment and deleting it: each is stored once, and so
 * are a current row's rounds.
 */
@QuarkusTest
@TestProfile(JournalFromAnEarlierVersionTest.EarlierJournalProfile.class)
class JournalFromAnEarlierVersionTest {

    @Inject
    LedgerDatabase ledger;

    @ConfigProperty(name = "test.earlier-journal.old-turn")
    String oldTurn;

    @ConfigProperty(name = "test.earlier-journal.new-turn")
    String newTurn;

    @Test
    void aRowOfTheEarlierVersionIsStoredOnceWithTheNewColumnsAtTheirDefaults() throws SQLException {
        Map<String, Object> row = awaitRow(oldTurn);

        assertThat(row).containsEntry("outcome", "ok").containsEntry("input_tokens", 10L)
                .containsEntry("cache_write_1h_input_tokens", 5L).containsEntry("time_to_first_token_ms", 42L)
                .containsEntry("thinking_tokens", 0L).containsEntry("saved_usd", null)
                .containsEntry("served_models", null).containsEntry("stop_reason", null)
                .containsEntry("stop_details", null).containsEntry("service_tier", null);
        assertThat((BigDecimal) row.get("cost_usd")).isEqualByComparingTo("0.000123");
        assertThat(rowsOf(oldTurn)).hasSize(1);
        assertThat(LedgerRows.rounds(ledger.dataSource(), oldTurn)).isEmpty();
    }

    @Test
    void aCurrentRowJournalledTwiceIsStoredOnceAndSoAreItsRounds() throws SQLException {
        Map<String, Object> row = awaitRow(newTurn);

        assertThat(row).containsEntry("thinking_tokens", 7L).containsEntry("stop_reason", "end_turn")
                .containsEntry("service_tier", "standard").containsEntry("served_models", "claude-sonnet-4-6");
        assertThat((BigDecimal) row.get("saved_usd")).isEqualByComparingTo("0.0000081");
        assertThat(rowsOf(newTurn)).hasSize(1);
        List<Map<String, Object>> rounds = LedgerRows.rounds(ledger.dataSource(), newTurn);
        assertThat(rounds).extracting(round -> round.get("round")).containsExactly(1, 2);
        assertThat(rounds).extracting(round -> round.get("message_id")).containsExactly("msg_one", "msg_two");
        // The second round's request id was not reported: a NULL of its own, not a shifted list.
        assertThat(rounds).extracting(round -> round.get("upstream_request_id")).containsExactly("req_one", null);
    }

    private Map<String, Object> awaitRow(String turnId) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> rowsOf(turnId).stream().findFirst(), Optional::isPresent).get();
    }

    private List<Map<String, Object>> rowsOf(String turnId) throws SQLException {
        return LedgerRows.select(ledger.dataSource(), "SELECT * FROM usage_ledger WHERE turn_id = ?", turnId);
    }

    public static class EarlierJournalProfile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EarlierJournal.class));
        }
    }

    /** Writes the journal an earlier process left, before the application starts on it. */
    public static class EarlierJournal implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            String oldTurn = UUID.randomUUID().toString();
            String newTurn = UUID.randomUUID().toString();
            // A line exactly as the version before issue 18 wrote it.
            String old = "{\"turnId\":\"" + oldTurn + "\",\"requestId\":\"earlier-" + oldTurn + "\","
                    + "\"at\":\"2026-12-01T10:00:00Z\",\"caller\":\"anonymous\",\"assistant\":\"plain\","
                    + "\"conversationId\":null,\"model\":\"claude-sonnet-4-6\",\"outcome\":\"ok\",\"rounds\":1,"
                    + "\"inputTokens\":10,\"outputTokens\":20,\"outputTokensFinal\":true,\"cacheReadInputTokens\":3,"
                    + "\"cacheWrite5mInputTokens\":4,\"cacheWrite1hInputTokens\":5,\"costUsd\":0.000123,"
                    + "\"timeToFirstTokenMs\":42,\"durationMs\":100}";
            String current = "{\"turnId\":\"" + newTurn + "\",\"requestId\":\"earlier-" + newTurn + "\","
                    + "\"at\":\"2026-12-01T10:00:01Z\",\"caller\":\"anonymous\",\"assistant\":\"cached-loop\","
                    + "\"conversationId\":null,\"model\":\"claude-sonnet-4-6\",\"outcome\":\"ok\",\"rounds\":2,"
                    + "\"inputTokens\":10,\"outputTokens\":20,\"outputTokensFinal\":true,\"cacheReadInputTokens\":30,"
                    + "\"cacheWrite5mInputTokens\":0,\"cacheWrite1hInputTokens\":0,\"costUsd\":0.000339,"
                    + "\"timeToFirstTokenMs\":42,\"durationMs\":100,\"thinkingTokens\":7,\"savedUsd\":0.0000081,"
                    + "\"servedModels\":\"claude-sonnet-4-6\",\"stopReason\":\"end_turn\",\"stopDetails\":null,"
                    + "\"serviceTier\":\"standard\",\"upstreamRounds\":["
                    + "{\"upstreamRequestId\":\"req_one\",\"messageId\":\"msg_one\",\"servedBy\":\"claude-sonnet-4-6\"},"
                    + "{\"upstreamRequestId\":null,\"messageId\":\"msg_two\",\"servedBy\":\"claude-sonnet-4-6\"}]}";
            Path journal = Path.of("target", "ledger-journals", "earlier-" + oldTurn, "ledger-journal.ndjson");
            try {
                Files.createDirectories(journal.getParent());
                Files.writeString(journal.resolveSibling("ledger-journal.ndjson.1"),
                        String.join("\n", old, current, old, current) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("parley.ledger.journal-file", journal.toString(), "test.earlier-journal.old-turn", oldTurn,
                    "test.earlier-journal.new-turn", newTurn);
        }

        @Override
        public void stop() {
        }
    }
}
