package dev.parley.ratelimit;

import java.time.Duration;
import java.util.Optional;

/** The answer to a request or a round checked against its caller's limits. */
public sealed interface CallerAnswer {

    /** Where the caller stands after the answer, for the {@code RateLimit} headers. */
    CallerStanding standing();

    /** Admitted; the turn now holds {@code hold}. */
    record Admitted(CallerHold hold, CallerStanding standing) implements CallerAnswer {
    }

    /**
     * Refused by the {@code kind} limit, nothing counted; {@code retryAfter} is when its window starts afresh, empty
     * when the request alone is larger than the limit (no wait can make it fit).
     */
    record Refused(CallerLimitKind kind, Optional<Duration> retryAfter, CallerStanding standing)
            implements
                CallerAnswer {
    }
}
