package dev.parley.usage.budget;

import java.math.BigDecimal;
import java.time.Instant;

/** A caller's limit in one window, placed in time: spending since {@code start} counts against it. */
record WindowLimit(BudgetWindow window, Instant start, Instant resetsAt, BigDecimal limitUsd) {
}
