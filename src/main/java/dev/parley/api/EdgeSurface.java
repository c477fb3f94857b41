package dev.parley.api;

import java.util.Map;

/**
 * A surface parley serves beside its own API under a path prefix of its own (the Anthropic-compatible front door).
 * The edge guards its requests as it guards the API's ({@link CallerAuthentication}, {@link RequestBodyGuard}), but
 * words its refusals in the surface's own error shape, so that its clients' SDKs understand them. The API itself
 * keeps {@code application/problem+json}.
 */
public interface EdgeSurface {

    /** The path prefix of the surface's requests, with its trailing slash: {@code /anthropic/}. */
    String prefix();

    /** The largest request body the surface accepts, in bytes. */
    long maxBodyBytes();

    /**
     * A refusal made at the edge, before any resource runs.
     *
     * @param status the status the API would answer with
     * @param code the API's problem code ({@code unauthorized}, {@code body_too_large}, {@code server_busy}, …)
     * @param detail what the API's problem would say
     * @param requestId the request's id
     * @param retryAfterSeconds the {@code Retry-After} the API would send, 0 for none
     */
    Refusal refusal(int status, String code, String detail, String requestId, long retryAfterSeconds);

    /** A refusal as written: status, content type, headers and body. */
    record Refusal(int status, String contentType, Map<String, String> headers, byte[] body) {

        public Refusal {
            headers = Map.copyOf(headers);
        }
    }
}
