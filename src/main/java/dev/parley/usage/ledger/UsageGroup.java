package dev.parley.usage.ledger;

import java.math.BigDecimal;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The sums of one group of turns. {@code costUsd} covers the priced turns; {@code unpricedTurns} says how many turns
 * of unknown cost are not in it.
 */
@RegisterForReflection
public record UsageGroup(String key, long turns, long inputTokens, long outputTokens, long cacheReadInputTokens,
        long cacheWrite5mInputTokens, long cacheWrite1hInputTokens, BigDecimal costUsd, long unpricedTurns) {
}
