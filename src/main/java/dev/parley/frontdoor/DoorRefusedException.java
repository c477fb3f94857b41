package dev.parley.frontdoor;

import java.util.Optional;

import dev.parley.ratelimit.CallerStanding;

/** A front-door request parley does not pass on (or no longer tries to): carries what the client is answered. */
final class DoorRefusedException extends RuntimeException {

    private final transient DoorRefusal refusal;
    private final transient Optional<CallerStanding> rateLimits;

    DoorRefusedException(DoorRefusal refusal) {
        this(refusal, Optional.empty());
    }

    /** A refusal that checked the caller's rate limits: its answer carries the {@code RateLimit} headers. */
    DoorRefusedException(DoorRefusal refusal, Optional<CallerStanding> rateLimits) {
        super(refusal.errorType() + " " + refusal.status(), null, false, false);
        this.refusal = refusal;
        this.rateLimits = rateLimits;
    }

    Optional<CallerStanding> rateLimits() {
        return rateLimits;
    }

    DoorRefusal refusal() {
        return refusal;
    }
}
