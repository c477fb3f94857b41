package dev.parley.usage.ledger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.usage.Cost;
import dev.parley.usage.UpstreamRound;
import dev.parley.usage.UsageRecord;

/**
 * One ledger row as stored and journalled: flat, nullable where the column is, amounts exact. A row journalled by a
 * version before issue 18 lacks the fields from {@code thinkingTokens} on: Jackson leaves them 0 or null, and its
 * {@code upstreamRounds} become empty, so it replays as a row without them.
 *
 * <p>
 * Text that comes from the upstream is cut to its column's size here: a value the database refused would fail the
 * writer's batch at every retry and hold every later row in the journal behind it.
 */
@RegisterForReflection
record LedgerRow(String turnId, String requestId, Instant at, String caller, String assistant, String conversationId,
        String model, String outcome, int rounds, long inputTokens, long outputTokens, boolean outputTokensFinal,
        long cacheReadInputTokens, long cacheWrite5mInputTokens, long cacheWrite1hInputTokens, BigDecimal costUsd,
        Long timeToFirstTokenMs, long durationMs, long thinkingTokens, BigDecimal savedUsd, String servedModels,
        String stopReason, String stopDetails, String serviceTier, List<RoundRow> upstreamRounds) {

    /** Column sizes of V3 for text the upstream sends. */
    private static final int ID_CHARS = 200;
    private static final int MODELS_CHARS = 1000;
    private static final int NAME_CHARS = 100;
    private static final int STOP_DETAILS_CHARS = 16384;

    /**
     * One round that got an answer, as the upstream knows it (a row of {@code usage_ledger_round}); nulls where the
     * upstream did not say.
     */
    @RegisterForReflection
    record RoundRow(String upstreamRequestId, String messageId, String servedBy) {
    }

    LedgerRow {
        upstreamRounds = upstreamRounds == null ? List.of() : List.copyOf(upstreamRounds);
    }

    static LedgerRow of(UsageRecord record) {
        List<RoundRow> rounds = record.upstreamRounds().stream().map(LedgerRow::round).toList();
        return new LedgerRow(record.turnId(), record.requestId(), record.at(), record.caller(), record.assistant(),
                record.conversationId().orElse(null), record.model(), record.outcome().tag(), record.rounds(),
                record.usage().inputTokens(), record.usage().outputTokens(), record.outputTokensFinal(),
                record.usage().cacheReadInputTokens(), record.usage().cacheWrite5mInputTokens(),
                record.usage().cacheWrite1hInputTokens(), record.cost().map(Cost::totalUsd).orElse(null),
                record.timeToFirstToken().map(ttft -> ttft.toMillis()).orElse(null), record.duration().toMillis(),
                record.usage().thinkingTokens(), record.cost().map(Cost::savedUsd).orElse(null),
                models(record.servedModels()), record.stopReason().map(reason -> cut(reason, NAME_CHARS)).orElse(null),
                // Cut JSON is no JSON: details beyond the column are not kept at all (a refusal's are a few lines).
                record.stopDetails().filter(details -> details.length() <= STOP_DETAILS_CHARS).orElse(null),
                record.serviceTier().map(tier -> cut(tier, NAME_CHARS)).orElse(null), rounds);
    }

    private static RoundRow round(UpstreamRound round) {
        return new RoundRow(round.requestId().map(id -> cut(id, ID_CHARS)).orElse(null),
                round.messageId().map(id -> cut(id, ID_CHARS)).orElse(null), models(round.servedBy()));
    }

    /** Model ids comma-separated (they hold no comma); null when no model was named. */
    private static String models(List<String> models) {
        return models.isEmpty() ? null : cut(String.join(",", models), MODELS_CHARS);
    }

    private static String cut(String text, int chars) {
        return text.length() <= chars ? text : text.substring(0, chars);
    }
}
