package dev.parley.resilience;

import java.time.Duration;
import java.util.Optional;

/** What to do about a failed upstream attempt. */
public sealed interface RetryDecision {

    /** Try again after {@code delay}. */
    record Retry(Duration delay) implements RetryDecision {
    }

    /**
     * Stop. {@code retryAfter} is set when the upstream asked for a wait that does not fit the request's deadline:
     * the client gets it as its own {@code Retry-After}.
     */
    record GiveUp(Reason reason, Optional<Duration> retryAfter) implements RetryDecision {
    }

    /** Why no retry. */
    enum Reason {
        NOT_RETRYABLE,
        ATTEMPTS_EXHAUSTED,
        BEYOND_DEADLINE
    }
}
