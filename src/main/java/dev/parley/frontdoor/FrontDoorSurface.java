package dev.parley.frontdoor;

import java.time.Duration;
import java.util.Optional;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;

import dev.parley.api.EdgeSurface;

/**
 * The front door's paths ({@code /anthropic/...}) at parley's edge: their body limit, and the refusals made before a
 * front-door resource runs (a missing or wrong key, a body too large or too slow, no room for another body, a path or
 * method the front door does not serve) in Anthropic's error shape and statuses, so that an SDK raises its own typed
 * error.
 */
@Singleton
class FrontDoorSurface implements EdgeSurface {

    /** Where the front door lives: {@code ANTHROPIC_BASE_URL=http://parley:8080/anthropic}. */
    static final String PREFIX = "/anthropic/";

    private final long maxBodyBytes;

    FrontDoorSurface(FrontDoorConfig config) {
        this.maxBodyBytes = config.maxBodySize().asLongValue();
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    @Override
    public Refusal refusal(int status, String code, String detail, String requestId, long retryAfterSeconds) {
        DoorRefusal refusal = switch (code) {
            case "unauthorized" -> DoorRefusal.terminal(401, "authentication_error", detail);
            // The real API's own answer to a body over its limit.
            case "body_too_large" -> DoorRefusal.terminal(413, "request_too_large", detail);
            // Nothing was read or done: another try in a moment (or at another replica) may pass.
            case "server_busy" -> DoorRefusal.after(503, "overloaded_error", detail,
                    Duration.ofSeconds(retryAfterSeconds), false);
            // The client was too slow to send its body; a retry of its own may be faster.
            case "body_timeout" -> new DoorRefusal(408, "timeout_error", detail, Optional.empty(), false);
            case "not_found" -> DoorRefusal.terminal(404, "not_found_error", detail);
            // A bug in parley: the SDK's own retry may pass, as another request would.
            case "internal_error" -> new DoorRefusal(500, "api_error", detail, Optional.empty(), false);
            default -> DoorRefusal.terminal(status, "invalid_request_error", detail);
        };
        return new Refusal(refusal.status(), MediaType.APPLICATION_JSON, refusal.headers(requestId),
                refusal.body(requestId));
    }
}
