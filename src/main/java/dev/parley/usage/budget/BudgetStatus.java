package dev.parley.usage.budget;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Where a caller stands in one window: what the ledger holds, what running turns have reserved, and what is left.
 */
@RegisterForReflection
public record BudgetStatus(String window, BigDecimal limitUsd, BigDecimal spentUsd, BigDecimal reservedUsd,
        BigDecimal remainingUsd, Instant resetsAt) {
}
