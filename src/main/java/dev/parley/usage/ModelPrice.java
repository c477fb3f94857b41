package dev.parley.usage;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Prices in USD per million tokens for one model (in one price band), one per token type.
 *
 * @param input uncached input tokens
 * @param output output tokens
 * @param cacheWrite5m cache writes with the 5-minute lifetime
 * @param cacheWrite1h cache writes with the 1-hour lifetime
 * @param cacheRead cache reads (hits and refreshes)
 */
public record ModelPrice(BigDecimal input, BigDecimal output, BigDecimal cacheWrite5m, BigDecimal cacheWrite1h,
        BigDecimal cacheRead) {

    public ModelPrice {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(cacheWrite5m, "cacheWrite5m");
        Objects.requireNonNull(cacheWrite1h, "cacheWrite1h");
        Objects.requireNonNull(cacheRead, "cacheRead");
    }
}
