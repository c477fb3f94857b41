package dev.parley.api;

import java.time.Duration;

import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.logging.Log;
import io.vertx.ext.web.RoutingContext;

import dev.parley.anthropic.UpstreamRejectedException;
import dev.parley.chat.ChatFailure;
import dev.parley.chat.ChatRejectedException;
import dev.parley.chat.ConversationStoreUnavailableException;
import dev.parley.chat.RequestLogs;
import dev.parley.ratelimit.CallerStanding;
import dev.parley.resilience.ShutdownConfig;
import dev.parley.usage.UsageMeter;
import dev.parley.usage.budget.BudgetUnavailableException;
import dev.parley.usage.ledger.LedgerUnavailableException;

/** Every error the API answers before a stream starts, as {@code application/problem+json} with a stable code. */
public class ProblemMappers {

    /** A store that did not answer is asked again this much later, a few times its timeout at most. */
    private static final long STORE_RETRY_AFTER_SECONDS = 5;

    static final String INVALID_JSON = "invalid_json";
    static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";

    private final ShutdownConfig shutdown;
    private final UsageMeter meter;
    private final EdgeSurfaces surfaces;

    ProblemMappers(ShutdownConfig shutdown, UsageMeter meter, EdgeSurfaces surfaces) {
        this.shutdown = shutdown;
        this.meter = meter;
        this.surfaces = surfaces;
    }

    @ServerExceptionMapper
    public Response rejected(ChatRejectedException e, RoutingContext context) {
        int status = switch (e.reason()) {
            case CONVERSATION_NOT_FOUND -> 404;
            case MESSAGE_TOO_LONG, HISTORY_TOO_LONG -> 413;
            case SERVER_SHUTTING_DOWN, BUDGET_UNAVAILABLE, RATE_LIMITS_UNAVAILABLE -> 503;
            case BUDGET_EXCEEDED, CALLER_RATE_LIMITED -> 429;
            case MODEL_UNPRICED -> 403;
            default -> 400;
        };
        Response.ResponseBuilder response = Response.status(status).type(Problem.MEDIA_TYPE).entity(Problem.of(
                status, e.reason().code(), titleOf(e.reason()), e.getMessage(), RequestIds.of(context)));
        if (e.reason() == ChatRejectedException.Reason.SERVER_SHUTTING_DOWN) {
            response.header(HttpHeaders.RETRY_AFTER, seconds(shutdown.retryAfter()));
        } else {
            e.retryAfter().ifPresent(wait -> response.header(HttpHeaders.RETRY_AFTER, seconds(wait)));
        }
        e.rateLimits().ifPresent(standing -> response.header(CallerStanding.POLICY_HEADER, standing.policy())
                .header(CallerStanding.STATE_HEADER, standing.state()));
        return response.build();
    }

    /**
     * 502 with the partial usage; 503 when the turn was ended because this server is shutting down, or when the reply
     * was complete but its conversation could not be saved (no fault of the upstream's; trying again may help).
     */
    @ServerExceptionMapper
    public Response turnUnavailable(TurnUnavailableException e, RoutingContext context) {
        Problem problem = Problem.of(e.reason().status, e.reason().code, e.reason().title, e.getMessage(),
                RequestIds.of(context));
        return e.reason() == TurnUnavailableException.Reason.STORE_UNAVAILABLE
                ? storeUnavailable(problem)
                : problem(problem);
    }

    @ServerExceptionMapper
    public Response upstreamFailed(UpstreamFailedException e, RoutingContext context) {
        EventPayloads.ErrorView error = EventPayloads.errorView(e.failed().failure());
        boolean shuttingDown = e.failed().failure().code() == ChatFailure.Code.SERVER_SHUTTING_DOWN;
        boolean notSaved = e.failed().failure().code() == ChatFailure.Code.CONVERSATION_NOT_SAVED;
        int status = shuttingDown || notSaved ? 503 : 502;
        String title = shuttingDown ? "Server shutting down" : notSaved ? "Conversation not saved" : "Upstream failure";
        Problem problem = new Problem("https://parley.dev/problems/" + error.code(), title, status, error.message(),
                error.code(), RequestIds.of(context), EventPayloads.usage(e.failed().usage()),
                e.failed().cost().map(EventPayloads::cost).orElse(null), e.turnId());
        Response.ResponseBuilder response = Response.status(status).type(Problem.MEDIA_TYPE).entity(problem)
                .header(SseEncoder.TURN_ID_HEADER, e.turnId());
        if (error.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, error.retryAfterSeconds());
        } else if (shuttingDown) {
            response.header(HttpHeaders.RETRY_AFTER, seconds(shutdown.retryAfter()));
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response protecting(UpstreamRejectedException e, RoutingContext context) {
        Problem problem = switch (e.reason()) {
            case CIRCUIT_OPEN -> Problem.of(503, e.code(), "Upstream circuit open",
                    "The AI service is failing; parley pauses calls to it for a moment. Try again shortly.",
                    RequestIds.of(context));
            case TOO_MANY_STREAMS -> Problem.of(429, e.code(), "Too many requests",
                    "parley is at its limit of concurrent replies. Try again shortly.", RequestIds.of(context));
            case CAPACITY_EXHAUSTED -> Problem.of(429, e.code(), "Upstream capacity exhausted",
                    "The AI service's rate limits leave no room for this request before its deadline. Try again "
                            + "after Retry-After.",
                    RequestIds.of(context));
        };
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem)
                .header(HttpHeaders.RETRY_AFTER, seconds(e.retryAfter())).build();
    }

    /**
     * 503 {@code conversation_store_unavailable}: the conversation store failed before anything was sent upstream.
     * Logged as a warning (operation and cause, no content): the client only learns that it may try again.
     */
    @ServerExceptionMapper
    public Response conversationStoreUnavailable(ConversationStoreUnavailableException e, RoutingContext context) {
        String requestId = RequestIds.of(context);
        RequestLogs.withRequestId(requestId, () -> Log.warnf("conversation store unavailable: %s", e.getMessage()));
        return Response.status(503).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(503, ConversationStoreUnavailableException.CODE, "Conversation store unavailable",
                        "The conversation store does not answer right now. Try again shortly.", requestId))
                .header(HttpHeaders.RETRY_AFTER, seconds(ConversationStoreUnavailableException.RETRY_AFTER))
                .build();
    }

    /** {@code GET /v1/budget} while the budget database does not answer (a chat maps it to a rejection itself). */
    @ServerExceptionMapper
    public Response budgetUnavailable(BudgetUnavailableException e, RoutingContext context) {
        String requestId = RequestIds.of(context);
        RequestLogs.withRequestId(requestId, () -> Log.warnf("budget not read: %s", e.getMessage()));
        return storeUnavailable(Problem.of(503, ChatRejectedException.Reason.BUDGET_UNAVAILABLE.code(),
                titleOf(ChatRejectedException.Reason.BUDGET_UNAVAILABLE),
                "The budget database does not answer right now; try again shortly.", requestId));
    }

    @ServerExceptionMapper
    public Response ledgerUnavailable(LedgerUnavailableException e, RoutingContext context) {
        String requestId = RequestIds.of(context);
        RequestLogs.withRequestId(requestId, () -> Log.warnf("usage ledger not read: %s", e.getMessage()));
        return storeUnavailable(Problem.of(503, "ledger_unavailable", "Ledger unavailable",
                "The usage ledger's database does not answer right now; try again shortly.", requestId));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e, RoutingContext context) {
        countIfChat(INVALID_JSON, context);
        return problem(Problem.of(400, INVALID_JSON, "Malformed JSON", JsonProblems.detail(e),
                RequestIds.of(context)));
    }

    /** Quarkus has its own handler for this subtype (a plain 400); a more specific mapper of ours wins over it. */
    @ServerExceptionMapper
    public Response wrongShape(MismatchedInputException e, RoutingContext context) {
        return malformedJson(e, context);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, RoutingContext context) {
        return problem(context, Problem.of(404, "not_found", "Not found", "No such resource.",
                RequestIds.of(context)));
    }

    @ServerExceptionMapper
    public Response methodNotAllowed(NotAllowedException e, RoutingContext context) {
        return problem(context, Problem.of(405, "method_not_allowed", "Method not allowed",
                "This resource does not support that method.", RequestIds.of(context)));
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e, RoutingContext context) {
        countIfChat(UNSUPPORTED_MEDIA_TYPE, context);
        return problem(Problem.of(415, UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                "Send the body as application/json, with that Content-Type.", RequestIds.of(context)));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, RoutingContext context) {
        return problem(
                Problem.of(403, "forbidden", "Forbidden", "Only an admin may read another caller's usage or budget.",
                        RequestIds.of(context)));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, RoutingContext context) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException) {
            return malformedJson((JsonProcessingException) e.getCause(), context);
        }
        if (status >= 500) {
            Log.error("request failed", e);
        }
        return problem(context, Problem.of(status, status >= 500 ? "internal_error" : "invalid_request",
                status >= 500 ? "Internal error" : "Bad request",
                status >= 500 ? "Something went wrong in parley." : "The request could not be processed.",
                RequestIds.of(context)));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, RoutingContext context) {
        Log.error("request failed", e);
        return problem(context, Problem.of(500, "internal_error", "Internal error", "Something went wrong in parley.",
                RequestIds.of(context)));
    }

    /**
     * A chat request refused before {@link ChatResource} runs (its body unread or unreadable) is counted here; the
     * refusals decided later are counted where they are decided.
     */
    private void countIfChat(String code, RoutingContext context) {
        if (ChatResource.isChatRequest(context)) {
            meter.rejected(code);
        }
    }

    /** A store that did not answer: worth another try in a few seconds. */
    private static Response storeUnavailable(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem)
                .header(HttpHeaders.RETRY_AFTER, STORE_RETRY_AFTER_SECONDS).build();
    }

    /** A problem, or on the path of an {@link EdgeSurface} the same refusal in the surface's own error shape. */
    private Response problem(RoutingContext context, Problem problem) {
        return surfaces.of(context.request().path())
                .map(surface -> EdgeSurfaces.response(surface.refusal(problem.status(), problem.code(),
                        problem.detail(), problem.requestId(), 0)))
                .orElseGet(() -> problem(problem));
    }

    private static Response problem(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    private static String titleOf(ChatRejectedException.Reason reason) {
        return switch (reason) {
            case INVALID_REQUEST -> "Invalid request";
            case UNKNOWN_ASSISTANT -> "Unknown assistant";
            case CONVERSATION_NOT_FOUND -> "Conversation not found";
            case MESSAGE_TOO_LONG -> "Message too long";
            case HISTORY_TOO_LONG -> "History too long";
            case MAX_TOKENS_OUT_OF_RANGE -> "maxTokens out of range";
            case SERVER_SHUTTING_DOWN -> "Server shutting down";
            case BUDGET_EXCEEDED -> "Budget exceeded";
            case BUDGET_UNAVAILABLE -> "Budget unavailable";
            case MODEL_UNPRICED -> "Model has no price";
            case CALLER_RATE_LIMITED -> "Rate limit reached";
            case RATE_LIMITS_UNAVAILABLE -> "Rate limits unavailable";
        };
    }

    /** Whole seconds, rounded up, at least 1: the form {@code Retry-After} takes. */
    static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
