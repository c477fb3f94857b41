package dev.parley.anthropic;

import java.time.Duration;

/** A chat refused to protect the upstream or this process, before the upstream was called. */
public final class UpstreamRejectedException extends RuntimeException {

    /** Why. */
    public enum Reason {
        /** The circuit breaker is open. */
        CIRCUIT_OPEN("upstream_circuit_open"),
        /** The concurrency limit and its queue are full. */
        TOO_MANY_STREAMS("too_many_requests"),
        /**
         * No upstream key has room for the call before its deadline, as their {@code anthropic-ratelimit-*} headers
         * say: parley did not send a request that would come back 429 (not {@code upstream_rate_limited}, which means
         * the upstream itself refused).
         */
        CAPACITY_EXHAUSTED("upstream_capacity_exhausted");

        private final String code;

        Reason(String code) {
            this.code = code;
        }
    }

    private final Reason reason;
    private final Duration retryAfter;

    /** The problem code the API answers this refusal with. */
    public String code() {
        return reason.code;
    }

    public UpstreamRejectedException(Reason reason, Duration retryAfter) {
        super(reason.name().toLowerCase(), null, false, false);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public Reason reason() {
        return reason;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
