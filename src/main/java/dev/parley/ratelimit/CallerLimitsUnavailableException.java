package dev.parley.ratelimit;

import java.time.Duration;

/**
 * The store of the per-caller limits failed or did not answer within {@code parley.rate-limits.redis-timeout}: the
 * request is refused (503) rather than let through unchecked.
 */
public final class CallerLimitsUnavailableException extends RuntimeException {

    /** The stable code of the refusal, in chat's problems and in the metrics. */
    public static final String CODE = "rate_limits_unavailable";
    /** A store that did not answer is asked again this much later. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    CallerLimitsUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
