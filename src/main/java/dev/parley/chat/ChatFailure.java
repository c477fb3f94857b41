package dev.parley.chat;

import java.time.Duration;
import java.util.Optional;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.UpstreamRejectedException;

/**
 * Why a turn failed once the upstream was called: a stable code, a message safe to show a user, and whether trying
 * again may help. Upstream details stay in the logs.
 */
public record ChatFailure(Code code, String message, boolean retryable, Optional<Duration> retryAfter) {

    /** The stable codes of failed turns, documented in the README. */
    public enum Code {
        UPSTREAM_REJECTED("upstream_rejected", "The AI service rejected the request."),
        UPSTREAM_AUTH("upstream_auth", "The AI service refused parley's credentials."),
        UPSTREAM_BILLING("upstream_billing", "The AI service account has a billing problem."),
        UPSTREAM_RATE_LIMITED("upstream_rate_limited", "The AI service is rate limiting requests; try again shortly."),
        UPSTREAM_OVERLOADED("upstream_overloaded", "The AI service is overloaded; try again shortly."),
        UPSTREAM_ERROR("upstream_error", "The AI service had an internal error; try again."),
        UPSTREAM_TIMEOUT("upstream_timeout", "The AI service did not answer in time."),
        UPSTREAM_INTERRUPTED("upstream_interrupted", "The reply from the AI service was cut off."),
        UPSTREAM_UNAVAILABLE("upstream_unavailable", "The AI service cannot be reached."),
        UPSTREAM_PROXY_REFUSED("upstream_proxy_refused", "The network proxy refused the connection to the AI service."),
        UPSTREAM_PROXY_UNAVAILABLE("upstream_proxy_unavailable",
                "The network proxy to the AI service cannot be reached; try again shortly."),
        UPSTREAM_TLS_FAILED("upstream_tls_failed",
                "The secure connection to the AI service could not be established."),
        UPSTREAM_CIRCUIT_OPEN("upstream_circuit_open",
                "The AI service is failing; parley pauses calls to it for a moment. Try again shortly."),
        DEADLINE_EXCEEDED("deadline_exceeded", "The reply did not complete within the request's deadline."),
        CONVERSATION_CONFLICT("conversation_conflict",
                "The conversation changed while this reply was written; the reply was not saved."),
        CONVERSATION_NOT_SAVED("conversation_not_saved",
                "The reply could not be saved to the conversation, which stays as it was; send the message again."),
        SERVER_SHUTTING_DOWN("server_shutting_down", "This server is restarting; send the message again."),
        SERVER_BUSY("server_busy", "This server is at its limit of upstream streams; try again shortly."),
        UPSTREAM_CAPACITY_EXHAUSTED("upstream_capacity_exhausted",
                "The AI service's rate limits leave no room for this request before its deadline; try again later."),
        CLIENT_TOO_SLOW("client_too_slow", "The reply was not read in time, so it was stopped."),
        TURN_STOPPED("turn_stopped", "The reply was stopped."),
        CLIENT_GONE("client_gone", "No one came back to read the reply in time, so it was stopped."),
        BUDGET_EXHAUSTED("budget_exhausted", "The budget for these requests is spent; the reply was stopped."),
        CALLER_RATE_LIMITED("caller_rate_limited",
                "This caller reached its rate limit; the reply was stopped. Try again once the window resets."),
        INTERNAL_ERROR("internal_error", "Something went wrong in parley.");

        private final String wireName;
        private final String userMessage;

        Code(String wireName, String userMessage) {
            this.wireName = wireName;
            this.userMessage = userMessage;
        }

        public String wireName() {
            return wireName;
        }

        public String userMessage() {
            return userMessage;
        }

        /** The message of a failure that trying again will not mend: without the invitation to try again. */
        String finalMessage() {
            int invitation = userMessage.indexOf("; try again");
            return invitation < 0 ? userMessage : userMessage.substring(0, invitation) + ".";
        }
    }

    /** The same failure, telling the client how long to wait before trying again. */
    ChatFailure withRetryAfter(Optional<Duration> wait) {
        return wait.isPresent() ? new ChatFailure(code, message, retryable, wait) : this;
    }

    static ChatFailure of(Code code, boolean retryable) {
        return new ChatFailure(code, code.userMessage(), retryable, Optional.empty());
    }

    /** Classifies an upstream failure by status, error type and kind. */
    static ChatFailure from(Throwable failure) {
        if (failure instanceof ConversationConflictException) {
            return of(Code.CONVERSATION_CONFLICT, false);
        }
        if (failure instanceof ConversationStoreUnavailableException) {
            return of(Code.CONVERSATION_NOT_SAVED, true)
                    .withRetryAfter(Optional.of(ConversationStoreUnavailableException.RETRY_AFTER));
        }
        if (failure instanceof BudgetExhaustedException exhausted) {
            return of(Code.BUDGET_EXHAUSTED, true).withRetryAfter(exhausted.retryAfter());
        }
        if (failure instanceof CallerRateLimitedException limited) {
            return of(Code.CALLER_RATE_LIMITED, true).withRetryAfter(limited.retryAfter());
        }
        if (failure instanceof DeadlineExceededException) {
            return of(Code.DEADLINE_EXCEEDED, true);
        }
        if (failure instanceof UpstreamRejectedException rejected) {
            Code code = switch (rejected.reason()) {
                case CIRCUIT_OPEN -> Code.UPSTREAM_CIRCUIT_OPEN;
                case TOO_MANY_STREAMS -> Code.SERVER_BUSY;
                case CAPACITY_EXHAUSTED -> Code.UPSTREAM_CAPACITY_EXHAUSTED;
            };
            return new ChatFailure(code, code.userMessage(), true, Optional.of(rejected.retryAfter()));
        }
        if (failure instanceof ClientTooSlowException) {
            return of(Code.CLIENT_TOO_SLOW, false);
        }
        if (failure instanceof TurnStoppedException stopped) {
            return of(stopped.stopCause() == TurnStoppedException.Cause.CALLER_ASKED
                    ? Code.TURN_STOPPED
                    : Code.CLIENT_GONE, false);
        }
        if (!(failure instanceof AnthropicException upstream)) {
            return of(Code.INTERNAL_ERROR, false);
        }
        Code code = switch (upstream.kind()) {
            case CONNECTION_FAILED -> Code.UPSTREAM_UNAVAILABLE;
            case TIMEOUT -> Code.UPSTREAM_TIMEOUT;
            case INTERRUPTED -> Code.UPSTREAM_INTERRUPTED;
            case PROXY_REFUSED -> Code.UPSTREAM_PROXY_REFUSED;
            case PROXY_UNAVAILABLE -> Code.UPSTREAM_PROXY_UNAVAILABLE;
            case TLS_FAILED -> Code.UPSTREAM_TLS_FAILED;
            case HTTP_ERROR, STREAM_ERROR -> byStatusAndType(upstream.status(), upstream.errorType().orElse(""));
        };
        boolean retryable = upstream.retryable();
        return new ChatFailure(code, retryable ? code.userMessage() : code.finalMessage(), retryable,
                upstream.retryAfter());
    }

    private static Code byStatusAndType(int status, String errorType) {
        // An error event arrives inside a 200 stream: there its type is all there is to go by.
        switch (errorType) {
            case "invalid_request_error", "not_found_error", "request_too_large" -> {
                return Code.UPSTREAM_REJECTED;
            }
            case "authentication_error", "permission_error" -> {
                return Code.UPSTREAM_AUTH;
            }
            case "billing_error" -> {
                return Code.UPSTREAM_BILLING;
            }
            default -> {
                // typed by the status below
            }
        }
        if (status == 529 || errorType.equals("overloaded_error")) {
            return Code.UPSTREAM_OVERLOADED;
        }
        if (status == 429 || errorType.equals("rate_limit_error")) {
            return Code.UPSTREAM_RATE_LIMITED;
        }
        if (status == 504 || status == 408 || errorType.equals("timeout_error")) {
            return Code.UPSTREAM_TIMEOUT;
        }
        if (status == 401 || status == 403) {
            return Code.UPSTREAM_AUTH;
        }
        if (status == 402) {
            return Code.UPSTREAM_BILLING;
        }
        if (status >= 400 && status < 500 && status != 409) {
            return Code.UPSTREAM_REJECTED;
        }
        return Code.UPSTREAM_ERROR;
    }
}
