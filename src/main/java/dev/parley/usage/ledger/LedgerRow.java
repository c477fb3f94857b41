package dev.parley.usage.ledger;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.usage.UsageRecord;

/** One ledger row as stored and journalled: flat, nullable where the column is, amounts exact. */
@RegisterForReflection
record LedgerRow(String turnId, String requestId, Instant at, String caller, String assistant, String conversationId,
        String model, String outcome, int rounds, long inputTokens, long outputTokens, boolean outputTokensFinal,
        long cacheReadInputTokens, long cacheWrite5mInputTokens, long cacheWrite1hInputTokens, BigDecimal costUsd,
        Long timeToFirstTokenMs, long durationMs) {

    static LedgerRow of(UsageRecord record) {
        return new LedgerRow(record.turnId(), record.requestId(), record.at(), record.caller(), record.assistant(),
                record.conversationId().orElse(null), record.model(), record.outcome().tag(), record.rounds(),
                record.usage().inputTokens(), record.usage().outputTokens(), record.outputTokensFinal(),
                record.usage().cacheReadInputTokens(), record.usage().cacheWrite5mInputTokens(),
                record.usage().cacheWrite1hInputTokens(), record.cost().map(c -> c.totalUsd()).orElse(null),
                record.timeToFirstToken().map(ttft -> ttft.toMillis()).orElse(null), record.duration().toMillis());
    }
}
