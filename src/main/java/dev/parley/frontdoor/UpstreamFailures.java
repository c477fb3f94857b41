package dev.parley.frontdoor;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.UpstreamRejectedException;

/**
 * What a client of the front door is answered once parley has given up on the upstream: the upstream's status and
 * error type with parley's own message (the upstream's body, which may echo the request, stays in parley's log), and
 * {@code x-should-retry: false}, so that an SDK does not multiply the attempts parley already made. Also the failure
 * codes that tag {@code parley.upstream.retries}, the chat path's own.
 */
final class UpstreamFailures {

    /** Anthropic's error types (§3.1); any other type the upstream names is answered by its status. */
    private static final Set<String> ERROR_TYPES = Set.of("invalid_request_error", "authentication_error",
            "permission_error", "not_found_error", "request_too_large", "rate_limit_error", "api_error",
            "overloaded_error", "timeout_error", "billing_error");

    private UpstreamFailures() {
    }

    /** The answer to a failure parley gave up on after {@code attempts} upstream calls. */
    static DoorRefusal answer(Throwable failure, int attempts) {
        if (failure instanceof UpstreamRejectedException rejected) {
            return switch (rejected.reason()) {
                case CIRCUIT_OPEN -> DoorRefusal.after(503, "overloaded_error", "The Anthropic API has been failing; "
                        + "parley pauses calls to it for a moment.", rejected.retryAfter(), false);
                case TOO_MANY_STREAMS -> DoorRefusal.after(429, "rate_limit_error", "parley is at its limit of "
                        + "concurrent calls to the Anthropic API.", rejected.retryAfter(), false);
                case CAPACITY_EXHAUSTED -> DoorRefusal.after(429, "rate_limit_error", "The rate limits of parley's "
                        + "Anthropic API keys leave no room for this request before its deadline; parley did not "
                        + "send it.", rejected.retryAfter(), false);
            };
        }
        if (!(failure instanceof AnthropicException upstream)) {
            return DoorRefusal.terminal(500, "api_error", "Something went wrong in parley.");
        }
        String tried = attempts > 1 ? " parley tried " + attempts + " times." : "";
        String id = upstream.requestId().map(requestId -> " Upstream request-id: " + requestId + ".").orElse("");
        Optional<Duration> wait = upstream.retryAfter().filter(after -> after.compareTo(DoorRefusal.SHORT_WAIT) <= 0);
        return switch (upstream.kind()) {
            case HTTP_ERROR, STREAM_ERROR -> {
                if (upstream.status() == 401) {
                    // The client's key was parley's and it was good: the upstream refused parley's own.
                    yield DoorRefusal.terminal(502, "api_error", "The Anthropic API refused parley's own API key; "
                            + "that is parley's configuration, not this request's key." + id);
                }
                int status = upstream.status() >= 400 ? upstream.status() : 502;
                String type = upstream.errorType().filter(ERROR_TYPES::contains).orElseGet(() -> typeOf(status));
                yield new DoorRefusal(status, type, "The Anthropic API answered " + status + " " + type
                        + "; parley keeps its message in its log." + tried + id, wait, true);
            }
            case TIMEOUT -> new DoorRefusal(504, "timeout_error", "The Anthropic API did not answer in time." + tried,
                    Optional.empty(), true);
            case CONNECTION_FAILED, INTERRUPTED, PROXY_REFUSED, PROXY_UNAVAILABLE, TLS_FAILED -> new DoorRefusal(502,
                    "api_error", "parley could not reach the Anthropic API, or lost the connection to it." + tried,
                    Optional.empty(), true);
        };
    }

    /**
     * The {@code error} event that ends a stream whose events parley had begun to pass on (its status is that of the
     * answer the same failure would have had before): the upstream's error type with parley's own message, or the
     * type of what went wrong on the way.
     */
    static DoorRefusal midStream(Throwable failure) {
        if (!(failure instanceof AnthropicException upstream)) {
            return answer(failure, 1);
        }
        String id = upstream.requestId().map(requestId -> " Upstream request-id: " + requestId + ".").orElse("");
        return switch (upstream.kind()) {
            case STREAM_ERROR, HTTP_ERROR -> {
                String type = upstream.errorType().filter(ERROR_TYPES::contains).orElse("api_error");
                yield DoorRefusal.terminal(upstream.status() >= 400 ? upstream.status() : 502, type,
                        "The Anthropic API ended the stream with " + type + "; parley keeps its message in its log."
                                + id);
            }
            case TIMEOUT -> DoorRefusal.terminal(504, "timeout_error",
                    "The Anthropic API stopped sending in the middle of the stream.");
            case CONNECTION_FAILED, INTERRUPTED, PROXY_REFUSED, PROXY_UNAVAILABLE, TLS_FAILED -> DoorRefusal.terminal(
                    502, "api_error", "parley lost the connection to the Anthropic API in the middle of the stream.");
        };
    }

    /** Anthropic's error type of a status (§3.1). */
    static String typeOf(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /** The failure code a retry of this failure is counted under, as the chat path counts its own. */
    static String code(AnthropicException failure) {
        return switch (failure.kind()) {
            case CONNECTION_FAILED -> "upstream_unavailable";
            case TIMEOUT -> "upstream_timeout";
            case INTERRUPTED -> "upstream_interrupted";
            case PROXY_REFUSED -> "upstream_proxy_refused";
            case PROXY_UNAVAILABLE -> "upstream_proxy_unavailable";
            case TLS_FAILED -> "upstream_tls_failed";
            case HTTP_ERROR, STREAM_ERROR -> {
                String type = failure.errorType().orElse("");
                if (failure.status() == 529 || type.equals("overloaded_error")) {
                    yield "upstream_overloaded";
                }
                if (failure.status() == 429 || type.equals("rate_limit_error")) {
                    yield "upstream_rate_limited";
                }
                if (failure.status() == 504 || failure.status() == 408 || type.equals("timeout_error")) {
                    yield "upstream_timeout";
                }
                yield "upstream_error";
            }
        };
    }
}
