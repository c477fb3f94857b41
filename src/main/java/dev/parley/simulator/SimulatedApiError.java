package dev.parley.simulator;

import java.util.Map;

/**
 * An error the simulated API answers with: an HTTP status, an Anthropic error type and message, and any extra
 * headers ({@code retry-after}, {@code x-should-retry}).
 */
final class SimulatedApiError extends RuntimeException {

    private final int status;
    private final String type;
    private final Map<String, String> headers;

    SimulatedApiError(int status, String type, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.headers = Map.copyOf(headers);
    }

    SimulatedApiError(ErrorType type, String message) {
        this(type.status(), type.wireName(), message, Map.of());
    }

    static SimulatedApiError invalidRequest(String message) {
        return new SimulatedApiError(ErrorType.INVALID_REQUEST, message);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    Map<String, String> headers() {
        return headers;
    }
}
