package dev.parley.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.DiscriminatorMapping;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import dev.parley.chat.ChatCommand;
import dev.parley.chat.ChatEngine;
import dev.parley.chat.ChatEvent;
import dev.parley.chat.ChatRejectedException;
import dev.parley.chat.PreparedTurn;
import dev.parley.chat.TurnAdmission;
import dev.parley.ratelimit.CallerStanding;
import dev.parley.resume.ResumableTurns;
import dev.parley.usage.UsageMeter;

/**
 * The chat endpoints: one turn streamed as Server-Sent Events, or returned whole as JSON. Everything that can be
 * decided before the upstream is called is answered with an HTTP status; after that the stream is committed and a
 * failure is an {@code error} event.
 */
@Path("/v1/chat")
@Tag(name = "chat")
public class ChatResource {

    /** Between two rounds' text in a one-shot answer: a blank line, a paragraph break in Markdown. */
    static final String ROUND_BREAK = "\n\n";

    /** What the upstream's failure of a one-shot turn is answered with. */
    private static final String UPSTREAM_FAILED = "Problem with the partial `usage` and `cost`: the turn failed "
            + "after the upstream was called, with the code an `error` event would carry: "
            + EventPayloads.TURN_FAILURE_CODES + " (`Retry-After` when known).";

    /** One short streamed turn, as the example of the stream's 200 response. */
    private static final String STREAM_EXAMPLE = """
            id: 1
            event: start
            data: {"type":"start","turnId":"0f5b1c1e-8d7e-4a39-9a59-2a0f3c8e7d11","resumable":false}

            id: 2
            event: text
            data: {"type":"text","text":"Hello"}

            id: 3
            event: text
            data: {"type":"text","text":"!"}

            id: 4
            event: done
            data: {"type":"done","stopReason":"end_turn","model":"claude-sonnet-4-6","usage":{"inputTokens":21,\
            "outputTokens":2,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"cacheWrite5mInputTokens":0,\
            "cacheWrite1hInputTokens":0},"cost":{"totalUsd":0.000093,"inputUsd":0.000063,"outputUsd":0.00003,\
            "cacheReadUsd":0,"cacheWrite5mUsd":0,"cacheWrite1hUsd":0},"timings":{"timeToFirstTokenMs":212,\
            "totalMs":240},"roundCount":1,"rounds":[{"usage":{"inputTokens":21,"outputTokens":2,\
            "cacheReadInputTokens":0,"cacheCreationInputTokens":0,"cacheWrite5mInputTokens":0,\
            "cacheWrite1hInputTokens":0},"cost":{"totalUsd":0.000093,"inputUsd":0.000063,"outputUsd":0.00003,\
            "cacheReadUsd":0,"cacheWrite5mUsd":0,"cacheWrite1hUsd":0}}]}

            """;

    private final TurnAdmission admission;
    private final ChatEngine engine;
    private final ObjectMapper mapper;
    private final ApiConfig config;
    private final StreamMetrics streams;
    private final UsageMeter meter;
    private final ResumableTurns resumableTurns;

    ChatResource(TurnAdmission admission, ChatEngine engine, ObjectMapper mapper, ApiConfig config,
            StreamMetrics streams, UsageMeter meter, ResumableTurns resumableTurns) {
        this.resumableTurns = resumableTurns;
        this.admission = admission;
        this.engine = engine;
        this.mapper = mapper;
        this.config = config;
        this.streams = streams;
        this.meter = meter;
    }

    /** Whether a request is one of this resource's, for counting the refusals decided before it runs. */
    static boolean isChatRequest(RoutingContext context) {
        String path = context.normalizedPath();
        return "/v1/chat".equals(path) || "/v1/chat/stream".equals(path);
    }

    /**
     * Streams one turn as {@code text/event-stream}. No {@code @Produces}: the response is written by
     * {@link SseWriter}, and the content type comes with the first frame, after the turn was prepared.
     */
    @POST
    @Path("/stream")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Stream one chat turn as Server-Sent Events", description = """
            Each event has an `id:` (1, 2, ...), an `event:` name and one `data:` line holding a JSON object whose \
            `type` equals the name: first `start` (the turn's id), then `thinking`, `text`, `tool_call`, \
            `tool_approval` (a call waits for `POST /v1/chat/turns/{turnId}/approvals/{callId}`), `tool_result`, `retry`, then exactly one `done` or one `error` at the end. With `"resumable": true` the \
            turn goes on when the client goes away, for `parley.streams.resume-grace`, and \
            `GET /v1/chat/turns/{turnId}/stream` with `Last-Event-ID` reads the rest. A `: ping` comment is sent when nothing else was sent for \
            `parley.api.heartbeat-interval`. The response carries `Cache-Control: no-cache`, \
            `X-Accel-Buffering: no`, `X-Request-Id` and `X-Turn-Id` (the `turnId` of the last event, the key of the \
            turn's usage ledger row). Failures before the upstream is called are HTTP problems; \
            after that the stream is committed and a failure is an `error` event.""")
    @APIResponse(responseCode = "200", description = "The turn as Server-Sent Events; each `data` is one of these "
            + "objects, chosen by its `type` (= the event name)", content = @Content(mediaType = SseEncoder.MEDIA_TYPE, schema = @Schema(oneOf = {
                    EventPayloads.StartEvent.class, EventPayloads.ThinkingEvent.class, EventPayloads.TextEvent.class,
                    EventPayloads.ToolCallEvent.class, EventPayloads.ToolApprovalEvent.class,
                    EventPayloads.ToolResultEvent.class, EventPayloads.RetryEvent.class,
                    EventPayloads.DoneEvent.class,
                    EventPayloads.ErrorEvent.class}, discriminatorProperty = "type", discriminatorMapping = {
                            @DiscriminatorMapping(value = "start", schema = EventPayloads.StartEvent.class),
                            @DiscriminatorMapping(value = "thinking", schema = EventPayloads.ThinkingEvent.class),
                            @DiscriminatorMapping(value = "text", schema = EventPayloads.TextEvent.class),
                            @DiscriminatorMapping(value = "tool_call", schema = EventPayloads.ToolCallEvent.class),
                            @DiscriminatorMapping(value = "tool_approval", schema = EventPayloads.ToolApprovalEvent.class),
                            @DiscriminatorMapping(value = "tool_result", schema = EventPayloads.ToolResultEvent.class),
                            @DiscriminatorMapping(value = "retry", schema = EventPayloads.RetryEvent.class),
                            @DiscriminatorMapping(value = "done", schema = EventPayloads.DoneEvent.class),
                            @DiscriminatorMapping(value = "error", schema = EventPayloads.ErrorEvent.class)}), examples = @ExampleObject(name = "a short reply", value = STREAM_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = ApiDocumentation.INVALID)
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "403", ref = ApiDocumentation.FORBIDDEN)
    @APIResponse(responseCode = "404", ref = ApiDocumentation.CONVERSATION_NOT_FOUND)
    @APIResponse(responseCode = "413", ref = ApiDocumentation.TOO_LONG)
    @APIResponse(responseCode = "415", ref = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocumentation.TOO_MANY_REQUESTS)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.UNAVAILABLE)
    public Multi<String> stream(ChatRequest request, RoutingContext context) {
        String requestId = RequestIds.of(context);
        // The request's context, captured once: the turn runs there, whatever thread its admission finishes on.
        Context turnContext = Vertx.currentContext();
        Optional<ResumableTurns> resumable = request != null && Boolean.TRUE.equals(request.resumable())
                ? Optional.of(resumableTurns)
                : Optional.empty();
        return prepare(request, requestId, context).onItem().transformToMulti(turn -> SseWriter.relay(engine, turn,
                turnContext, context.response(), new SseEncoder(mapper, turn.turnId()), config, streams, requestId,
                resumable));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Run one chat turn and return it whole", description = "The same turn as "
            + "`POST /v1/chat/stream`, as one JSON object once it is complete; tool calls come with their results. "
            + "Nobody can be asked to approve a call here: a call of a tool that needs approval is denied, its "
            + "`error` says so, and the model answers knowing it.")
    @APIResponse(responseCode = "200", description = "The complete turn", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = EventPayloads.ChatResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocumentation.INVALID)
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "403", ref = ApiDocumentation.FORBIDDEN)
    @APIResponse(responseCode = "404", ref = ApiDocumentation.CONVERSATION_NOT_FOUND)
    @APIResponse(responseCode = "413", ref = ApiDocumentation.TOO_LONG)
    @APIResponse(responseCode = "415", ref = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocumentation.TOO_MANY_REQUESTS)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    @APIResponse(responseCode = "502", description = UPSTREAM_FAILED, content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", ref = ApiDocumentation.UNAVAILABLE)
    public Uni<EventPayloads.ChatResponse> chat(ChatRequest request, RoutingContext context) {
        String requestId = RequestIds.of(context);
        if (request != null && Boolean.TRUE.equals(request.resumable())) {
            meter.rejected(ChatRejectedException.Reason.INVALID_REQUEST.code());
            throw new ChatRejectedException(ChatRejectedException.Reason.INVALID_REQUEST,
                    "resumable applies to POST /v1/chat/stream: a one-shot answer has nothing to resume");
        }
        Context turnContext = Vertx.currentContext();
        return prepare(request, requestId, context).flatMap(turn -> {
            context.response().putHeader(SseEncoder.TURN_ID_HEADER, turn.turnId());
            return WholeTurn.run(engine, turn, turnContext).map(events -> respond(turn.turnId(), events));
        });
    }

    /** The engine counts what it refuses; a body of the wrong shape is refused, and counted, here. */
    private Uni<PreparedTurn> prepare(ChatRequest request, String requestId, RoutingContext context) {
        ChatCommand command;
        try {
            command = ChatRequests.toCommand(request, requestId, CallerAuthentication.callerOf(context));
        } catch (ChatRejectedException e) {
            meter.rejected(e.reason().code());
            throw e;
        }
        return admission.prepare(command).invoke(turn -> turn.rateLimits().ifPresent(limits -> context.response()
                .putHeader(CallerStanding.POLICY_HEADER, limits.standing().policy())
                .putHeader(CallerStanding.STATE_HEADER, limits.standing().state())));
    }

    private static EventPayloads.ChatResponse respond(String turnId, List<ChatEvent> events) {
        StringBuilder text = new StringBuilder();
        Map<String, ChatEvent.ToolCalled> calls = new LinkedHashMap<>();
        List<EventPayloads.ToolUseView> toolCalls = new ArrayList<>();
        Map<Integer, EventPayloads.ThinkingView> thinking = new TreeMap<>();
        // Text after tool results is the next round's: a paragraph of its own, not the end of the last sentence.
        boolean nextRound = false;
        for (ChatEvent event : events) {
            switch (event) {
                case ChatEvent.TextChunk chunk -> {
                    if (nextRound && !text.isEmpty()) {
                        text.append(ROUND_BREAK);
                    }
                    nextRound = false;
                    text.append(chunk.text());
                }
                case ChatEvent.ThinkingChunk chunk -> thinking.merge(chunk.block(),
                        new EventPayloads.ThinkingView(chunk.block(), chunk.text(), null),
                        (earlier, more) -> new EventPayloads.ThinkingView(earlier.block(), earlier.text() + more.text(),
                                null));
                case ChatEvent.ThinkingHidden hidden -> thinking.put(hidden.block(),
                        new EventPayloads.ThinkingView(hidden.block(), null, hidden.why().wireName()));
                case ChatEvent.ToolCalled call -> calls.put(call.id(), call);
                case ChatEvent.ToolApprovalAsked asked -> {
                    // Never asked here: a one-shot turn denies such a call, and its result says so.
                }
                case ChatEvent.ToolReturned result -> {
                    nextRound = true;
                    toolCalls.add(new EventPayloads.ToolUseView(result.id(), result.name(),
                            calls.get(result.id()).input(), result.isError() ? null : result.content(),
                            result.isError() ? result.content() : null, result.isError(),
                            result.duration().toMillis()));
                }
                case ChatEvent.Retrying retrying -> {
                    // Retries are invisible in a one-shot response; the timings show the time they took.
                }
                case ChatEvent.TurnDone done -> {
                    return EventPayloads.response(turnId, text.toString(), done, toolCalls,
                            List.copyOf(thinking.values()));
                }
                case ChatEvent.TurnFailed failed -> throw new UpstreamFailedException(turnId, failed);
            }
        }
        throw new IllegalStateException("a turn ended without done or error");
    }
}
