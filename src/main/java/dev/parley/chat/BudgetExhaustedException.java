package dev.parley.chat;

import java.time.Duration;
import java.util.Optional;

/** A running turn would cost more than its caller's budget allows: it ends with {@code budget_exhausted}. */
final class BudgetExhaustedException extends RuntimeException {

    private final Optional<Duration> retryAfter;

    BudgetExhaustedException(String message, Optional<Duration> retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** Until the window that refused resets, when known. */
    Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
