package dev.parley.simulator;

import java.util.Arrays;
import java.util.Optional;

/** The Anthropic error types, their HTTP statuses and usual messages (section 3 of the protocol reference). */
enum ErrorType {
    INVALID_REQUEST("invalid_request_error", 400, "Invalid request"),
    AUTHENTICATION("authentication_error", 401, "invalid x-api-key"),
    BILLING("billing_error", 402, "Your credit balance is too low to access the Anthropic API."),
    PERMISSION("permission_error", 403, "Your API key does not have permission to use the specified resource."),
    NOT_FOUND("not_found_error", 404, "Not found"),
    REQUEST_TOO_LARGE("request_too_large", 413, "Request exceeds the maximum size"),
    RATE_LIMIT("rate_limit_error", 429, "Number of request tokens has exceeded your per-minute rate limit"),
    API("api_error", 500, "Internal server error"),
    TIMEOUT("timeout_error", 504, "Request timed out"),
    OVERLOADED("overloaded_error", 529, "Overloaded");

    private final String wireName;
    private final int status;
    private final String defaultMessage;

    ErrorType(String wireName, int status, String defaultMessage) {
        this.wireName = wireName;
        this.status = status;
        this.defaultMessage = defaultMessage;
    }

    String wireName() {
        return wireName;
    }

    int status() {
        return status;
    }

    String defaultMessage() {
        return defaultMessage;
    }

    /** The type the real API uses for a status; undocumented statuses (408, 409, 502, 503) come as {@code api_error}. */
    static ErrorType forStatus(int status) {
        return Arrays.stream(values()).filter(type -> type.status == status).findFirst().orElse(API);
    }

    static Optional<ErrorType> forWireName(String wireName) {
        return Arrays.stream(values()).filter(type -> type.wireName.equals(wireName)).findFirst();
    }
}
