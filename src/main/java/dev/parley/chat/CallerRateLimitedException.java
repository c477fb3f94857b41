package dev.parley.chat;

import java.time.Duration;
import java.util.Optional;

/** A later round of a running turn does not fit in its caller's rate limits: it ends with {@code caller_rate_limited}. */
final class CallerRateLimitedException extends RuntimeException {

    private final Optional<Duration> retryAfter;

    CallerRateLimitedException(String message, Optional<Duration> retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** Until the window that refused starts afresh, when a wait can help. */
    Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
