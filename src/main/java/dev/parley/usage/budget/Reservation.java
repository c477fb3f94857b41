package dev.parley.usage.budget;

import java.math.BigDecimal;
import java.time.Instant;

/** The answer to a reservation. */
public sealed interface Reservation {

    /**
     * The amount is held for the turn.
     *
     * @param reservedUsd what the turn now holds in all
     * @param ceilingUsd the most the turn may cost before it must stop: what it holds plus the budget's free room
     *            when it reserved (only reached when the estimate was low)
     */
    record Granted(BigDecimal reservedUsd, BigDecimal ceilingUsd) implements Reservation {
    }

    /** The amount does not fit in {@code window}, which starts afresh at {@code resetsAt}. */
    record Refused(BudgetWindow window, Instant resetsAt) implements Reservation {
    }
}
