package dev.parley.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestMulti;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import dev.parley.chat.ChatEngine;
import dev.parley.chat.ChatEvent;

/**
 * The chat endpoints: one turn streamed as Server-Sent Events, or returned whole as JSON. Everything that can be
 * decided before the upstream is called is answered with an HTTP status; after that the stream is committed and a
 * failure is an {@code error} event.
 */
@Path("/v1/chat")
public class ChatResource {

    private final ChatEngine engine;
    private final ObjectMapper mapper;
    private final ApiConfig config;
    private final Vertx vertx;

    ChatResource(ChatEngine engine, ObjectMapper mapper, ApiConfig config, Vertx vertx) {
        this.engine = engine;
        this.mapper = mapper;
        this.config = config;
        this.vertx = vertx;
    }

    /**
     * Streams one turn as {@code text/event-stream}. No {@code @Produces}: the frames are written by
     * {@link SseEncoder} and the content type comes with the first frame, after the turn was prepared.
     */
    @POST
    @Path("/stream")
    @Consumes(MediaType.APPLICATION_JSON)
    public Multi<String> stream(ChatRequest request, RoutingContext context) {
        String requestId = RequestIds.of(context);
        SseEncoder encoder = new SseEncoder(mapper);
        return RestMulti.fromUniResponse(
                engine.prepare(ChatRequests.toCommand(request, requestId, CallerAuthentication.callerOf(context))),
                turn -> Heartbeats.around(engine.run(turn).map(encoder::encode), config.heartbeatInterval(),
                        encoder::heartbeat, vertx),
                turn -> Map.of("Content-Type", List.of(SseEncoder.MEDIA_TYPE),
                        "Cache-Control", List.of("no-cache"),
                        // Tells nginx-style proxies not to buffer the stream.
                        "X-Accel-Buffering", List.of("no"),
                        RequestIds.HEADER, List.of(requestId)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<EventPayloads.ChatResponse> chat(ChatRequest request, RoutingContext context) {
        String requestId = RequestIds.of(context);
        return engine.prepare(ChatRequests.toCommand(request, requestId, CallerAuthentication.callerOf(context)))
                .flatMap(turn -> engine.run(turn).collect().asList())
                .map(ChatResource::respond);
    }

    private static EventPayloads.ChatResponse respond(List<ChatEvent> events) {
        StringBuilder text = new StringBuilder();
        Map<String, ChatEvent.ToolCalled> calls = new LinkedHashMap<>();
        List<EventPayloads.ToolUseView> toolCalls = new ArrayList<>();
        for (ChatEvent event : events) {
            switch (event) {
                case ChatEvent.TextChunk chunk -> text.append(chunk.text());
                case ChatEvent.ToolCalled call -> calls.put(call.id(), call);
                case ChatEvent.ToolReturned result -> toolCalls.add(new EventPayloads.ToolUseView(result.id(),
                        result.name(), calls.get(result.id()).input(), result.isError() ? null : result.content(),
                        result.isError() ? result.content() : null, result.isError(), result.duration().toMillis()));
                case ChatEvent.Retrying retrying -> {
                    // Retries are invisible in a one-shot response; the timings show the time they took.
                }
                case ChatEvent.TurnDone done -> {
                    return EventPayloads.response(text.toString(), done, toolCalls);
                }
                case ChatEvent.TurnFailed failed -> throw new UpstreamFailedException(failed);
            }
        }
        throw new IllegalStateException("a turn ended without done or error");
    }
}
