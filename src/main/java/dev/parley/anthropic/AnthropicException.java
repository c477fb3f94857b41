package dev.parley.anthropic;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Every upstream failure, typed once: an HTTP error response, an {@code error} event inside a 200 stream, or a
 * transport failure. Carries what the retry policy needs (§4): status, error type, {@code request-id},
 * {@code retry-after} and {@code x-should-retry}. The upstream's own message is kept for logs only; it is never
 * shown to parley's clients.
 */
public final class AnthropicException extends RuntimeException {

    /** Where the failure happened. */
    public enum Kind {
        /** The upstream answered with an HTTP error status. */
        HTTP_ERROR,
        /** An {@code error} event arrived inside a 200 stream. */
        STREAM_ERROR,
        /** No connection could be made. */
        CONNECTION_FAILED,
        /**
         * The upstream stalled past one of parley's limits (first byte, first content, idle), which the message
         * names, or past the REST client's own read timeout, the backstop behind them.
         */
        TIMEOUT,
        /** The connection broke, or the stream ended without {@code message_stop}. */
        INTERRUPTED,
        /**
         * The egress proxy refused the way to the upstream with a client error: 407 (parley's proxy credentials
         * missing or wrong), 403 (its policy forbids the upstream's host), or another 4xx. The status is the proxy's.
         */
        PROXY_REFUSED,
        /**
         * The egress proxy could not be reached, or could not reach the upstream (a 5xx to its {@code CONNECT}, whose
         * status is kept).
         */
        PROXY_UNAVAILABLE,
        /**
         * The TLS handshake with the upstream failed: most often parley does not trust its certificate (a
         * TLS-inspecting proxy's CA missing from {@code parley.anthropic.trust-store}), or it names another host.
         */
        TLS_FAILED
    }

    private static final Set<String> RETRYABLE_STREAM_ERRORS = Set.of("overloaded_error", "api_error",
            "rate_limit_error", "timeout_error");

    private final Kind kind;
    private final int status;
    private final String errorType;
    private final String upstreamMessage;
    private final String requestId;
    private final Duration retryAfter;
    private final Boolean shouldRetry;
    /** An HTTP error's rate-limit headers (a 429's say which limit ran out and until when); null if none. */
    private final UpstreamRateLimits rateLimits;

    AnthropicException(Kind kind, int status, String errorType, String upstreamMessage, String requestId,
            Duration retryAfter, Boolean shouldRetry, Throwable cause) {
        this(describe(kind, status, errorType, requestId), kind, status, errorType, upstreamMessage, requestId,
                retryAfter, shouldRetry, cause);
    }

    private AnthropicException(String message, Kind kind, int status, String errorType, String upstreamMessage,
            String requestId, Duration retryAfter, Boolean shouldRetry, Throwable cause) {
        this(message, kind, status, errorType, upstreamMessage, requestId, retryAfter, shouldRetry, cause, null);
    }

    private AnthropicException(String message, Kind kind, int status, String errorType, String upstreamMessage,
            String requestId, Duration retryAfter, Boolean shouldRetry, Throwable cause,
            UpstreamRateLimits rateLimits) {
        super(message, cause);
        this.rateLimits = rateLimits;
        this.kind = kind;
        this.status = status;
        this.errorType = errorType;
        this.upstreamMessage = upstreamMessage;
        this.requestId = requestId;
        this.retryAfter = retryAfter;
        this.shouldRetry = shouldRetry;
    }

    /** The same failure with what the upstream (or a transport error) said passed through {@code redact}. */
    AnthropicException redacted(UnaryOperator<String> redact) {
        String id = requestId == null ? null : redact.apply(requestId);
        AnthropicException copy = new AnthropicException(redact.apply(getMessage()), kind, status, errorType,
                upstreamMessage == null ? null : redact.apply(upstreamMessage), id, retryAfter, shouldRetry,
                getCause(), rateLimits);
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    /** The same failure with the rate limits its answer reported. */
    AnthropicException withRateLimits(UpstreamRateLimits limits) {
        AnthropicException copy = new AnthropicException(getMessage(), kind, status, errorType, upstreamMessage,
                requestId, retryAfter, shouldRetry, getCause(), limits);
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    /** What the error answer's {@code anthropic-ratelimit-*} and {@code retry-after} headers said, if anything. */
    Optional<UpstreamRateLimits> rateLimits() {
        return Optional.ofNullable(rateLimits).filter(limits -> !limits.isEmpty());
    }

    static AnthropicException transport(Kind kind, Throwable cause) {
        return new AnthropicException(kind, 0, null, cause == null ? null : cause.toString(), null, null, null,
                cause);
    }

    /** The egress proxy's refusal ({@code status} 4xx) or its failure to connect ({@code status} 5xx, or 0). */
    static AnthropicException proxy(int status, Throwable cause) {
        Kind kind = status > 0 && status < 500 ? Kind.PROXY_REFUSED : Kind.PROXY_UNAVAILABLE;
        return new AnthropicException(kind, status, null, cause == null ? null : cause.toString(), null, null, null,
                cause);
    }

    /**
     * A failed TLS handshake. One that refused the upstream's certificate is refused again until the configuration
     * changes, so it is not retryable; any other (a connection closed during the handshake, say) is.
     */
    static AnthropicException tls(Throwable cause, boolean certificateRefused) {
        return new AnthropicException(Kind.TLS_FAILED, 0, null, cause.toString(), null, null,
                certificateRefused ? Boolean.FALSE : null, cause);
    }

    /**
     * The upstream stalled past a limit: {@code limit} names it ({@code "first byte"}, {@code "idle"}, …), and the
     * message reads, say, "Anthropic API timeout: first byte after 60s".
     */
    public static AnthropicException timeout(String limit, Duration after) {
        String message = describe(Kind.TIMEOUT, 0, null, null) + ": " + limit + " after " + readable(after);
        return new AnthropicException(message, Kind.TIMEOUT, 0, null, null, null, null, null, null);
    }

    /** A stream that ended without {@code message_stop}: the reply was cut off. */
    public static AnthropicException cutOff() {
        return transport(Kind.INTERRUPTED, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when there was none (stream errors carry the stream's 200). */
    public int status() {
        return status;
    }

    /** The Anthropic error type ({@code overloaded_error}, …), if the upstream said. */
    public Optional<String> errorType() {
        return Optional.ofNullable(errorType);
    }

    /** For logs only: may echo parts of the request. */
    public Optional<String> upstreamMessage() {
        return Optional.ofNullable(upstreamMessage);
    }

    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    /** How long the upstream asked us to wait ({@code retry-after-ms} or {@code retry-after}). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * Whether trying again may succeed, by the official SDKs' policy: {@code x-should-retry} when present; else
     * 408, 409, 429 and 5xx; transport failures; overload, rate-limit, timeout and API errors inside a stream. An
     * egress proxy's refusal is judged by its status like an HTTP error; a refused certificate is not retryable.
     */
    public boolean retryable() {
        if (shouldRetry != null) {
            return shouldRetry;
        }
        return switch (kind) {
            case HTTP_ERROR, PROXY_REFUSED -> status == 408 || status == 409 || status == 429 || status >= 500;
            case STREAM_ERROR -> errorType != null && RETRYABLE_STREAM_ERRORS.contains(errorType);
            case CONNECTION_FAILED, TIMEOUT, INTERRUPTED, PROXY_UNAVAILABLE, TLS_FAILED -> true;
        };
    }

    private static String readable(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static String describe(Kind kind, int status, String errorType, String requestId) {
        StringBuilder text = new StringBuilder("Anthropic API ").append(kind.name().toLowerCase());
        if (status > 0) {
            text.append(' ').append(status);
        }
        if (errorType != null) {
            text.append(' ').append(errorType);
        }
        if (requestId != null) {
            text.append(" (").append(requestId).append(')');
        }
        return text.toString();
    }
}
