package dev.parley.frontdoor;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the front door answers instead of a passed-on reply, in Anthropic's error shape
 * ({@code {"type":"error","error":{"type":…,"message":…},"request_id":…}}) so that an SDK raises its own typed error:
 * a request parley refuses, or an upstream failure parley gave up on. The message is always parley's own.
 *
 * <p>The retry rule, for SDKs that retry every 429 and 5xx and wait out any {@code retry-after}: a refusal that a
 * retry within seconds cannot cure carries {@code x-should-retry: false}; a {@code retry-after} is sent only when the
 * wait is at most {@link #SHORT_WAIT}, and a longer wait is a refusal that stops retries instead.
 *
 * @param status the HTTP status
 * @param errorType Anthropic's error type ({@code invalid_request_error}, {@code rate_limit_error}, …)
 * @param message parley's message, safe to show
 * @param retryAfter how long to wait before trying again, when that is short
 * @param stopsRetries whether the answer carries {@code x-should-retry: false}
 */
record DoorRefusal(int status, String errorType, String message, Optional<Duration> retryAfter,
        boolean stopsRetries) {

    /** The longest wait a client is told to make ({@code retry-after}); a longer one stops its retries instead. */
    static final Duration SHORT_WAIT = Duration.ofSeconds(60);
    /** Tree building only, so nothing needs registering for native images. */
    private static final ObjectMapper TREES = new ObjectMapper();

    /** A refusal no retry can cure: {@code x-should-retry: false}. */
    static DoorRefusal terminal(int status, String errorType, String message) {
        return new DoorRefusal(status, errorType, message, Optional.empty(), true);
    }

    /**
     * A refusal that may pass after {@code wait}: with {@code retry-after} when the wait is short, else with
     * {@code x-should-retry: false} (or whatever {@code stopsRetries} says, when the wait is short).
     */
    static DoorRefusal after(int status, String errorType, String message, Duration wait, boolean stopsRetries) {
        return wait.compareTo(SHORT_WAIT) <= 0
                ? new DoorRefusal(status, errorType, message, Optional.of(wait), stopsRetries)
                : new DoorRefusal(status, errorType, message, Optional.empty(), true);
    }

    static DoorRefusal invalidRequest(String message) {
        return terminal(400, "invalid_request_error", message);
    }

    static DoorRefusal forbidden(String message) {
        return terminal(403, "permission_error", message);
    }

    /** The error body, with parley's request id as its {@code request_id}. */
    byte[] body(String requestId) {
        ObjectNode json = TREES.createObjectNode().put("type", "error");
        json.putObject("error").put("type", errorType).put("message", message);
        json.put("request_id", requestId);
        try {
            return TREES.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The headers: {@code request-id} (parley's, which the SDKs expose) and the retry advice. */
    Map<String, String> headers(String requestId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("request-id", requestId);
        retryAfter.ifPresent(wait -> headers.put("retry-after", Long.toString(seconds(wait))));
        if (stopsRetries) {
            headers.put("x-should-retry", "false");
        }
        return headers;
    }

    /** Whole seconds, rounded up, at least 1: the form {@code retry-after} takes. */
    static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
