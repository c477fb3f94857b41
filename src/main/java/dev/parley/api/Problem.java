package dev.parley.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem ({@code application/problem+json}) with a stable {@code code}; {@code type} is a URI naming
 * the code, {@code detail} is safe to show a user.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "An RFC 9457 problem with a stable `code`; `usage` and `cost` only when a turn failed after "
        + "calling the upstream (`POST /v1/chat`).")
public record Problem(
        @Schema(description = "A URI naming the code", example = "https://parley.dev/problems/invalid_request") String type,
        String title,
        int status,
        @Schema(description = "What went wrong, safe to show a user") String detail,
        @Schema(description = "The stable code; the same codes appear in the `error` event of a stream", enumeration = {
                "unauthorized", "forbidden", "invalid_json", "invalid_request", "unknown_assistant",
                "max_tokens_out_of_range", "message_too_long", "history_too_long", "conversation_not_found",
                "not_found", "method_not_allowed", "unsupported_media_type", "too_many_requests",
                "upstream_circuit_open", "upstream_rejected", "upstream_auth", "upstream_billing",
                "upstream_rate_limited", "upstream_overloaded", "upstream_error", "upstream_timeout",
                "upstream_interrupted", "upstream_unavailable", "upstream_proxy_refused",
                "upstream_proxy_unavailable", "upstream_tls_failed", "deadline_exceeded", "conversation_conflict",
                "server_shutting_down", "internal_error", "budget_exceeded", "budget_unavailable", "model_unpriced",
                "budget_exhausted", "caller_rate_limited", "rate_limits_unavailable", "conversation_store_unavailable",
                "conversation_not_saved",
                "body_too_large", "body_timeout", "server_busy", "ledger_unavailable", "uri_too_long",
                "headers_too_large", "client_too_slow", "upstream_capacity_exhausted", "turn_not_found",
                "turn_not_resumable", "turn_store_unavailable", "approval_already_given", "turn_stopped",
                "client_gone"}) String code,
        @Schema(description = "The request id, as in the `X-Request-Id` response header") String requestId,
        EventPayloads.UsageView usage,
        EventPayloads.CostView cost,
        @Schema(description = "A turn that failed after calling the upstream (`POST /v1/chat`): "
                + EventPayloads.TURN_ID) String turnId){

    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(int status, String code, String title, String detail, String requestId) {
        return new Problem("https://parley.dev/problems/" + code, title, status, detail, code, requestId, null, null,
                null);
    }
}
