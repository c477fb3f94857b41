package dev.parley.api;

import java.time.Instant;
import java.util.Optional;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import dev.parley.chat.ChatRejectedException;
import dev.parley.chat.ToolApprovals;
import dev.parley.resilience.ShutdownCoordinator;
import dev.parley.resume.JournalState;
import dev.parley.resume.ResumableTurns;
import dev.parley.resume.TurnApprovals;
import dev.parley.resume.TurnJournalsUnavailableException;

/**
 * Turns after their first stream: a client that lost the stream of a resumable turn reads the rest from any replica,
 * its caller can stop it on whichever replica runs it, and the caller of any streamed turn answers its tool calls that
 * wait for approval. To anyone but the turn's caller a turn does not exist.
 */
@Path("/v1/chat/turns")
@Tag(name = "chat")
public class TurnStreamResource {

    static final String LAST_EVENT_ID = "Last-Event-ID";
    private static final String NOT_FOUND = "No resumable turn of yours has this id: it is unknown, was not "
            + "resumable, or its events expired (they are kept for parley.streams.retention after the turn ended).";

    private static final String NO_APPROVAL = "No tool call of a turn of yours waits for an answer under these "
            + "ids: the turn or call is unknown, or the call no longer waits (timed out, or the turn ended).";

    private static final String OUTGROWN = "The turn outgrew the events parley keeps of one turn "
            + "(parley.streams.max-events, parley.streams.max-bytes): it cannot be resumed.";
    private static final String LOST = "The server that ran the turn went away before the turn ended.";

    private final ResumableTurns turns;
    private final ApiConfig config;
    private final ShutdownCoordinator shutdown;
    private final MeterRegistry registry;
    private final TurnApprovals approvals;

    TurnStreamResource(ResumableTurns turns, ApiConfig config, ShutdownCoordinator shutdown,
            MeterRegistry registry, TurnApprovals approvals) {
        this.turns = turns;
        this.approvals = approvals;
        this.config = config;
        this.shutdown = shutdown;
        this.registry = registry;
    }

    /** Counts a resume by its answer: {@code streamed}, {@code ended} (204), or the problem's code. */
    private void counted(String answer) {
        registry.counter("parley.streams.resumes", "answer", answer).increment();
    }

    /** No {@code @Produces}, as the chat stream: parley writes the response itself ({@link TurnResumeWriter}). */
    @GET
    @Path("/{turnId}/stream")
    @Operation(summary = "Resume a resumable turn's stream", description = """
            The events of the turn after `Last-Event-ID` (the `id:` of the last event the client has; absent = 0, \
            all of them, `start` included), in order, each once, then the live rest up to its `done` or `error`, as \
            `POST /v1/chat/stream` sends them. Answered by any replica when `parley.streams.store=redis`, else by the \
            one that runs the turn. An `EventSource` reconnects by itself with this header. 204 when the turn ended \
            and the client has its last event.""")
    @APIResponse(responseCode = "200", description = "The rest of the turn as Server-Sent Events", content = @Content(mediaType = SseEncoder.MEDIA_TYPE))
    @APIResponse(responseCode = "204", description = "The turn ended and `Last-Event-ID` is its last event: nothing is left (an `EventSource` stops reconnecting)")
    @APIResponse(responseCode = "400", ref = ApiDocumentation.INVALID)
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "404", ref = ApiDocumentation.TURN_NOT_FOUND)
    @APIResponse(responseCode = "410", ref = ApiDocumentation.TURN_NOT_RESUMABLE)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.UNAVAILABLE)
    public Multi<String> resume(@PathParam("turnId") String turnId, @HeaderParam(LAST_EVENT_ID) String lastEventId,
            RoutingContext context) {
        long afterId;
        try {
            afterId = afterId(lastEventId);
        } catch (ChatRejectedException e) {
            counted(e.reason().code());
            throw e;
        }
        if (shutdown.draining() && turns.shared()) {
            // Another replica serves it: the events are in Redis.
            counted(ChatRejectedException.Reason.SERVER_SHUTTING_DOWN.code());
            throw new ChatRejectedException(ChatRejectedException.Reason.SERVER_SHUTTING_DOWN,
                    "This server is restarting; resume the turn again.");
        }
        String requestId = RequestIds.of(context);
        Context requestContext = Vertx.currentContext();
        return found(turnId, context)
                .onFailure(TurnUnavailableException.class)
                .invoke(failure -> counted(((TurnUnavailableException) failure).reason().code))
                .onItem().transformToMulti(state -> Multi.createFrom().emitter(handoff -> {
                    if (state.overflowed() || state.lost(Instant.now())) {
                        counted(TurnUnavailableException.Reason.NOT_RESUMABLE.code);
                        handoff.fail(new TurnUnavailableException(TurnUnavailableException.Reason.NOT_RESUMABLE,
                                state.overflowed() ? OUTGROWN : LOST));
                    } else if (state.ended() && afterId >= state.lastId()) {
                        counted("ended");
                        context.response().setStatusCode(204).end();
                        handoff.complete();
                    } else {
                        counted("streamed");
                        TurnResumeWriter writer = new TurnResumeWriter(turns, turnId, afterId, requestId,
                                requestContext, context.response(), config, handoff);
                        requestContext.runOnContext(ignored -> writer.start());
                    }
                }));
    }

    @DELETE
    @Path("/{turnId}")
    @Operation(summary = "Stop a resumable turn", description = """
            Stops the turn at once on whichever replica runs it: the upstream request is cancelled, the usage so far \
            recorded, and its stream ends with an `error` event `turn_stopped`. 204 also when it had already ended.""")
    @APIResponse(responseCode = "204", description = "The turn is stopping, or had ended")
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "404", ref = ApiDocumentation.TURN_NOT_FOUND)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.UNAVAILABLE)
    public Uni<Response> stop(@PathParam("turnId") String turnId, RoutingContext context) {
        return turns.stop(turnId, CallerAuthentication.callerOf(context)).onFailure()
                .transform(TurnStreamResource::unavailable).map(answer -> {
                    if (answer == ResumableTurns.StopAnswer.NOT_FOUND) {
                        throw new TurnUnavailableException(TurnUnavailableException.Reason.NOT_FOUND, NOT_FOUND);
                    }
                    return Response.noContent().build();
                });
    }

    @POST
    @Path("/{turnId}/approvals/{callId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Approve or deny a tool call the turn waits for", description = """
            Answers the `tool_approval` event of a streamed turn (resumable or not): `{"decision":"approve"}` runs \
            the call, `{"decision":"deny"}` gives the model an error result saying the user denied it. Only the \
            turn's caller may answer; the answer reaches the turn on whichever replica runs it (through Redis when \
            `parley.streams.store=redis`). Each call is answered once.""")
    @APIResponse(responseCode = "204", description = "The answer was delivered to the turn")
    @APIResponse(responseCode = "400", ref = ApiDocumentation.INVALID)
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "404", ref = ApiDocumentation.APPROVAL_NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocumentation.APPROVAL_ALREADY_GIVEN)
    @APIResponse(responseCode = "415", ref = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.UNAVAILABLE)
    public Uni<Response> answer(@PathParam("turnId") String turnId, @PathParam("callId") String callId,
            ApprovalRequest request, RoutingContext context) {
        ToolApprovals.Decision decision = decision(request);
        return approvals.answer(turnId, CallerAuthentication.callerOf(context), callId, decision).onFailure()
                .transform(TurnStreamResource::unavailable).map(answer -> switch (answer) {
                    case DELIVERED -> Response.noContent().build();
                    case ALREADY_ANSWERED -> throw new TurnUnavailableException(
                            TurnUnavailableException.Reason.APPROVAL_ALREADY_GIVEN,
                            "This tool call was answered before; an answer cannot be changed.");
                    case NOT_FOUND -> throw new TurnUnavailableException(TurnUnavailableException.Reason.NOT_FOUND,
                            NO_APPROVAL);
                });
    }

    private static ToolApprovals.Decision decision(ApprovalRequest request) {
        String decision = request == null ? null : request.decision();
        if ("approve".equals(decision)) {
            return ToolApprovals.Decision.APPROVE;
        }
        if ("deny".equals(decision)) {
            return ToolApprovals.Decision.DENY;
        }
        throw new ChatRejectedException(ChatRejectedException.Reason.INVALID_REQUEST,
                "The body must be {\"decision\":\"approve\"} or {\"decision\":\"deny\"}.");
    }

    private Uni<JournalState> found(String turnId, RoutingContext context) {
        return turns.find(turnId, CallerAuthentication.callerOf(context)).onFailure()
                .transform(TurnStreamResource::unavailable)
                .map(state -> state.orElseThrow(
                        () -> new TurnUnavailableException(TurnUnavailableException.Reason.NOT_FOUND, NOT_FOUND)));
    }

    private static Throwable unavailable(Throwable failure) {
        return failure instanceof TurnJournalsUnavailableException
                ? new TurnUnavailableException(TurnUnavailableException.Reason.STORE_UNAVAILABLE,
                        "The store of resumable turns did not answer; try again shortly.")
                : failure;
    }

    /** The id after which a resume starts: {@code Last-Event-ID}, a whole number, 0 when absent. */
    private static long afterId(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return 0;
        }
        Optional<Long> id;
        try {
            id = Optional.of(Long.parseLong(lastEventId.trim())).filter(value -> value >= 0);
        } catch (NumberFormatException e) {
            id = Optional.empty();
        }
        return id.orElseThrow(() -> new ChatRejectedException(ChatRejectedException.Reason.INVALID_REQUEST,
                LAST_EVENT_ID + " must be the id of an event of the turn: a whole number, 0 or more"));
    }
}
