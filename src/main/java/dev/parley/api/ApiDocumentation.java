package dev.parley.api;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The document-level parts of parley's OpenAPI document ({@code /q/openapi}): what the API is, how callers
 * authenticate, and the descriptions of the problem responses the resources share. The operations themselves are
 * described where they are implemented; {@code OpenApiDocumentTest} fails when an endpoint is not. A JAX-RS
 * {@code Application} only because that is where SmallRye OpenAPI reads {@code @OpenAPIDefinition}; it changes
 * nothing else (no path, every resource is still discovered).
 */
@OpenAPIDefinition(info = @Info(title = "parley", version = "1", description = """
        Claude behind a streaming chat API. `POST /v1/chat/stream` streams one turn as Server-Sent Events (see its \
        200 response for every event and its JSON payload); `POST /v1/chat` returns the same turn as one JSON object.

        What parley decides before calling the upstream is an HTTP status with an `application/problem+json` body \
        carrying a stable `code`; once the upstream is called a stream is committed (200) and a failure is an \
        `error` event with the same codes.

        Authentication depends on `parley.auth.mode`: `api-key` takes `Authorization: Bearer <key>` or \
        `x-api-key: <key>` (the two security schemes below, either one); `gateway` trusts a caller header set by \
        the API gateway (`X-Parley-Caller` by default); `none` needs nothing.

        Not in this document: the Anthropic API simulator under `/simulator` (a faithful Messages API, served in \
        dev and test, and in production only with `PARLEY_SIMULATOR_ENABLED=true`), and the `/q/health` and \
        `/q/metrics` endpoints."""), tags = {
        @Tag(name = "chat", description = "One chat turn, streamed or whole"),
        @Tag(name = "assistants", description = "The assistant profiles"),
        @Tag(name = "conversations", description = "Conversations kept by the service"),
        @Tag(name = "usage", description = "Tokens and cost from the usage ledger")}, securitySets = {
                @SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.BEARER)),
                @SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.API_KEY))}, components = @Components(responses = {
                        @APIResponse(name = ApiDocumentation.INVALID, description = ApiDocumentation.INVALID_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.UNAUTHORIZED, description = ApiDocumentation.UNAUTHORIZED_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.CONVERSATION_NOT_FOUND, description = ApiDocumentation.CONVERSATION_NOT_FOUND_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.TURN_NOT_FOUND, description = ApiDocumentation.TURN_NOT_FOUND_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.APPROVAL_NOT_FOUND, description = ApiDocumentation.APPROVAL_NOT_FOUND_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.APPROVAL_ALREADY_GIVEN, description = ApiDocumentation.APPROVAL_ALREADY_GIVEN_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.TURN_NOT_RESUMABLE, description = ApiDocumentation.TURN_NOT_RESUMABLE_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.TOO_LONG, description = ApiDocumentation.TOO_LONG_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE, description = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.TOO_MANY_REQUESTS, description = ApiDocumentation.TOO_MANY_REQUESTS_TEXT, headers = @Header(name = "Retry-After", description = "seconds to wait", schema = @Schema(type = SchemaType.INTEGER)), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.UNAVAILABLE, description = ApiDocumentation.UNAVAILABLE_TEXT, headers = @Header(name = "Retry-After", description = "seconds to wait", schema = @Schema(type = SchemaType.INTEGER)), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.LEDGER_UNAVAILABLE, description = ApiDocumentation.LEDGER_UNAVAILABLE_TEXT, headers = @Header(name = "Retry-After", description = "seconds to wait", schema = @Schema(type = SchemaType.INTEGER)), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.FORBIDDEN, description = ApiDocumentation.FORBIDDEN_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.INTERNAL, description = ApiDocumentation.INTERNAL_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDocumentation.NOT_FOUND, description = ApiDocumentation.NOT_FOUND_TEXT, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))}, securitySchemes = {
                                @SecurityScheme(securitySchemeName = ApiDocumentation.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer", description = "A caller's API key as a bearer token (`parley.auth.mode=api-key`)."),
                                @SecurityScheme(securitySchemeName = ApiDocumentation.API_KEY, type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER, apiKeyName = "x-api-key", description = "A caller's API key in the `x-api-key` header (`parley.auth.mode=api-key`).")}))
public class ApiDocumentation extends Application {

    static final String BEARER = "bearer";
    static final String API_KEY = "apiKey";

    /** Names of the shared problem responses ({@code #/components/responses/...}). */
    static final String INVALID = "InvalidRequest";
    static final String UNAUTHORIZED = "Unauthorized";
    static final String FORBIDDEN = "Forbidden";
    static final String CONVERSATION_NOT_FOUND = "ConversationNotFound";
    static final String TOO_LONG = "TooLong";
    static final String TURN_NOT_FOUND = "TurnNotFound";
    static final String TURN_NOT_RESUMABLE = "TurnNotResumable";
    static final String APPROVAL_NOT_FOUND = "ApprovalNotFound";
    static final String APPROVAL_ALREADY_GIVEN = "ApprovalAlreadyGiven";
    static final String UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaType";
    static final String TOO_MANY_REQUESTS = "TooManyRequests";
    static final String UNAVAILABLE = "Unavailable";
    static final String LEDGER_UNAVAILABLE = "LedgerUnavailable";
    static final String INTERNAL = "InternalError";
    static final String NOT_FOUND = "NotFound";

    static final String INVALID_TEXT = "Problem `invalid_json` (the body is not one UTF-8 JSON object of the "
            + "documented fields and types: unknown or duplicate fields, `\"10\"` or `1.5` for a whole number, a lone "
            + "surrogate, anything after the object), "
            + "`invalid_request` (a field is missing or wrong), `unknown_assistant` (no such profile) or "
            + "`max_tokens_out_of_range`.";
    static final String UNAUTHORIZED_TEXT = "Problem `unauthorized`: no valid API key (or gateway header) for the "
            + "configured auth mode, or `x-api-key` and `Authorization: Bearer` carrying two different keys.";
    static final String CONVERSATION_NOT_FOUND_TEXT = "Problem `conversation_not_found`: unknown or expired "
            + "conversation, or another caller's.";
    static final String TURN_NOT_FOUND_TEXT = "Problem `turn_not_found`: no resumable turn of the caller's has this "
            + "id (unknown, another caller's, not resumable, or its events expired after `parley.streams.retention`).";
    static final String APPROVAL_NOT_FOUND_TEXT = "Problem `turn_not_found`: no tool call of a turn of the caller's "
            + "waits for an answer under these ids (unknown turn or call, another caller's, or the call no longer waits: "
            + "it timed out or the turn ended).";
    static final String APPROVAL_ALREADY_GIVEN_TEXT = "Problem `approval_already_given`: the call was answered "
            + "before; an answer cannot be changed.";
    static final String TURN_NOT_RESUMABLE_TEXT = "Problem `turn_not_resumable`: the turn outgrew the events kept of "
            + "one turn (`parley.streams.max-events`, `parley.streams.max-bytes`), or the server that ran it went away "
            + "before it ended.";
    static final String TOO_LONG_TEXT = "Problem `message_too_long` or `history_too_long`: over `parley.limits.*`; or "
            + "`body_too_large`: the body is larger than `parley.requests.max-body-size` (refused before it is read). "
            + "A body that does not arrive within `parley.requests.body-timeout` is answered 408 `body_timeout`; a URI "
            + "longer than `parley.requests.max-uri-length` 414 `uri_too_long`; headers larger than "
            + "`parley.requests.max-header-size` 431 `headers_too_large`.";
    static final String UNSUPPORTED_MEDIA_TYPE_TEXT = "Problem `unsupported_media_type`: the body was not sent as "
            + "`application/json`, or without a `Content-Type`.";
    static final String TOO_MANY_REQUESTS_TEXT = "Problem `too_many_requests` (the concurrency limit and its queue are "
            + "full) or `budget_exceeded` (the request's worst case does not fit in the caller's budget; `Retry-After` "
            + "is the time until the window resets), `caller_rate_limited` (the request does not fit in one of the "
            + "caller's rate limits, which the `RateLimit-Policy` and `RateLimit` headers describe) or "
            + "`upstream_capacity_exhausted` (no upstream key's rate limits leave room for the request before its "
            + "deadline; parley did not send it); try again after `Retry-After` seconds.";
    static final String UNAVAILABLE_TEXT = "Problem `upstream_circuit_open` (the upstream has been failing; parley "
            + "pauses calls to it) or `server_shutting_down` (this replica is stopping; another one answers), with "
            + "`Retry-After`; or `budget_unavailable` (the caller has a budget and its database, or the upstream's "
            + "token count, does not answer within `parley.budgets.timeout`); or `rate_limits_unavailable` (the caller has "
            + "rate limits and their store does not answer within `parley.rate-limits.redis-timeout`); or "
            + "`turn_store_unavailable` (a resume or stop: the store of resumable turns does not answer within "
            + "`parley.streams.redis-timeout`); or `conversation_store_unavailable` (the "
            + "conversation store does not answer; a chat with a `conversationId` is refused before the upstream is "
            + "called), with `Retry-After`. `POST /v1/chat` also answers `conversation_not_saved` with 503, "
            + "`Retry-After` and the turn's `usage` and `cost`: the reply was complete but could not be saved to its "
            + "conversation. Or `server_busy` (parley holds as many request bodies as `parley.requests.body-budget` "
            + "allows), with `Retry-After`.";
    static final String LEDGER_UNAVAILABLE_TEXT = "Problem `ledger_unavailable`: the usage ledger's database did not "
            + "answer within `parley.ledger.read-timeout`; try again after `Retry-After` seconds.";
    static final String INTERNAL_TEXT = "Problem `internal_error`: a bug in parley.";
    static final String FORBIDDEN_TEXT = "Problem `forbidden` (only an admin may read another caller's usage or "
            + "budget) or `model_unpriced` (the profile's model has no price, so a caller with a budget cannot use "
            + "it).";
    static final String NOT_FOUND_TEXT = "Problem `not_found` (no such resource) or `method_not_allowed` (405).";

}
