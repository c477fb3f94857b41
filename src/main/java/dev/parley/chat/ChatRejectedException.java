package dev.parley.chat;

import java.time.Duration;
import java.util.Optional;

import dev.parley.ratelimit.CallerStanding;

/** A turn refused before the upstream is called; the API answers it with an HTTP status. */
public final class ChatRejectedException extends RuntimeException {

    /** Why; each reason is a stable, documented problem code. */
    public enum Reason {
        INVALID_REQUEST("invalid_request"),
        UNKNOWN_ASSISTANT("unknown_assistant"),
        CONVERSATION_NOT_FOUND("conversation_not_found"),
        MESSAGE_TOO_LONG("message_too_long"),
        HISTORY_TOO_LONG("history_too_long"),
        MAX_TOKENS_OUT_OF_RANGE("max_tokens_out_of_range"),
        SERVER_SHUTTING_DOWN("server_shutting_down"),
        BUDGET_EXCEEDED("budget_exceeded"),
        BUDGET_UNAVAILABLE("budget_unavailable"),
        MODEL_UNPRICED("model_unpriced"),
        CALLER_RATE_LIMITED("caller_rate_limited"),
        RATE_LIMITS_UNAVAILABLE("rate_limits_unavailable");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;
    private final Optional<Duration> retryAfter;
    private final Optional<CallerStanding> rateLimits;

    public ChatRejectedException(Reason reason, String message) {
        this(reason, message, Optional.empty());
    }

    public ChatRejectedException(Reason reason, String message, Optional<Duration> retryAfter) {
        this(reason, message, retryAfter, Optional.empty());
    }

    ChatRejectedException(Reason reason, String message, Optional<Duration> retryAfter,
            Optional<CallerStanding> rateLimits) {
        super(message, null, false, false);
        this.reason = reason;
        this.retryAfter = retryAfter;
        this.rateLimits = rateLimits;
    }

    public Reason reason() {
        return reason;
    }

    /** How long the client should wait before trying again, when parley knows. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** Where the caller stands in its rate limits, when they were checked: the {@code RateLimit} headers. */
    public Optional<CallerStanding> rateLimits() {
        return rateLimits;
    }
}
