package dev.parley.usage;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What a usage costs in USD, per token type and in total. Amounts are exact {@link BigDecimal}s and never rounded;
 * rounding, if any, is the business of whoever displays them.
 *
 * @param totalUsd the sum of the five parts
 * @param inputUsd uncached input tokens
 * @param outputUsd output tokens
 * @param cacheReadUsd cache reads
 * @param cacheWrite5mUsd cache writes with the 5-minute lifetime
 * @param cacheWrite1hUsd cache writes with the 1-hour lifetime
 * @param savedUsd what prompt caching saved: the price of the cached and cache-written tokens as plain input, minus
 *        what they cost (negative when a write was not read back yet: a write costs more than plain input)
 */
public record Cost(BigDecimal totalUsd, BigDecimal inputUsd, BigDecimal outputUsd, BigDecimal cacheReadUsd,
        BigDecimal cacheWrite5mUsd, BigDecimal cacheWrite1hUsd, BigDecimal savedUsd) {

    /** Nothing spent: the neutral element of {@link #plus(Cost)}. */
    public static final Cost ZERO = new Cost(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
            BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

    public Cost {
        Objects.requireNonNull(totalUsd, "totalUsd");
        Objects.requireNonNull(inputUsd, "inputUsd");
        Objects.requireNonNull(outputUsd, "outputUsd");
        Objects.requireNonNull(cacheReadUsd, "cacheReadUsd");
        Objects.requireNonNull(cacheWrite5mUsd, "cacheWrite5mUsd");
        Objects.requireNonNull(cacheWrite1hUsd, "cacheWrite1hUsd");
        Objects.requireNonNull(savedUsd, "savedUsd");
    }

    /** The sum of this cost and another, amount by amount. */
    public Cost plus(Cost other) {
        return new Cost(
                totalUsd.add(other.totalUsd),
                inputUsd.add(other.inputUsd),
                outputUsd.add(other.outputUsd),
                cacheReadUsd.add(other.cacheReadUsd),
                cacheWrite5mUsd.add(other.cacheWrite5mUsd),
                cacheWrite1hUsd.add(other.cacheWrite1hUsd),
                savedUsd.add(other.savedUsd));
    }
}
