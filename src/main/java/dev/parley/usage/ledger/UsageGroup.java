package dev.parley.usage.ledger;

import java.math.BigDecimal;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The sums of one group of turns. {@code thinkingTokens} is the part of {@code outputTokens} spent thinking.
 * {@code costUsd} covers the priced turns; {@code unpricedTurns} says how many turns of unknown cost are not in it.
 * {@code savedUsd}, what prompt caching saved, covers the same priced turns, less those stored before the ledger
 * recorded it.
 */
@RegisterForReflection
public record UsageGroup(String key, long turns, long inputTokens, long outputTokens, long cacheReadInputTokens,
        long cacheWrite5mInputTokens, long cacheWrite1hInputTokens, long thinkingTokens, BigDecimal costUsd,
        BigDecimal savedUsd, long unpricedTurns) {

    /** No turns: the neutral element of {@link #plus}. */
    public static UsageGroup empty(String key) {
        return new UsageGroup(key, 0, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO, BigDecimal.ZERO, 0);
    }

    /** The sums of this group and another, under {@code key}. */
    public UsageGroup plus(String key, UsageGroup other) {
        return new UsageGroup(key, turns + other.turns, inputTokens + other.inputTokens,
                outputTokens + other.outputTokens, cacheReadInputTokens + other.cacheReadInputTokens,
                cacheWrite5mInputTokens + other.cacheWrite5mInputTokens,
                cacheWrite1hInputTokens + other.cacheWrite1hInputTokens, thinkingTokens + other.thinkingTokens,
                costUsd.add(other.costUsd), savedUsd.add(other.savedUsd), unpricedTurns + other.unpricedTurns);
    }
}
