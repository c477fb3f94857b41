package dev.parley.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.http.HttpServerResponse;

import dev.parley.chat.ChatEvent;

/**
 * Writes one stream's chat events as Server-Sent Events frames: a named event whose {@code data} is one JSON object
 * with a {@code type} equal to the event name, and the next {@code id}. One instance per stream.
 *
 * <p>
 * parley frames SSE itself rather than through JAX-RS's {@code OutboundSseEvent}: in Quarkus 3.33 the SSE writer
 * commits a 200 before the stream's first item, and a turn must still be refusable with an HTTP status until the
 * upstream is called.
 */
final class SseEncoder {

    static final String MEDIA_TYPE = "text/event-stream";
    /** A comment line: ignored by SSE parsers, but it keeps gateways from closing an idle stream. */
    static final String HEARTBEAT = ": ping\n\n";

    /** The response header with the turn's id, the one its {@code done} or {@code error} event carries. */
    static final String TURN_ID_HEADER = "X-Turn-Id";

    /** The id of the {@code start} event, the first of every stream, whenever it is written. */
    static final long START_ID = 1;

    private final ObjectMapper mapper;
    private final String turnId;
    private long nextId = START_ID + 1;

    /** An encoder for the stream of the turn {@code turnId}. */
    SseEncoder(ObjectMapper mapper, String turnId) {
        this.mapper = mapper;
        this.turnId = turnId;
    }

    /** Commits a chat stream's response: status 200 and the headers of every stream, chunked. */
    static void commit(HttpServerResponse response, String requestId, String turnId) {
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", MEDIA_TYPE)
                .putHeader("Cache-Control", "no-cache")
                // Tells nginx-style proxies not to buffer the stream.
                .putHeader("X-Accel-Buffering", "no")
                .putHeader(RequestIds.HEADER, requestId)
                .putHeader(TURN_ID_HEADER, turnId);
    }

    /** The id the next encoded event gets. */
    long nextId() {
        return nextId;
    }

    /**
     * The {@code start} frame, id 1: the turn's id, and whether it can be resumed. It goes out with the stream's
     * first frame, so it is encoded then, and its id is kept for it.
     */
    String start(boolean resumable) {
        return frame(START_ID, "start", new EventPayloads.StartEvent("start", turnId, resumable));
    }

    String encode(ChatEvent event) {
        return switch (event) {
            case ChatEvent.TextChunk text -> textFrame(text.text());
            case ChatEvent.ThinkingChunk thinking -> frame("thinking", EventPayloads.thinking(thinking));
            case ChatEvent.ThinkingHidden hidden -> frame("thinking", EventPayloads.thinking(hidden));
            case ChatEvent.ToolCalled call -> frame("tool_call", EventPayloads.toolCall(call));
            case ChatEvent.ToolApprovalAsked asked -> frame("tool_approval", EventPayloads.toolApproval(asked));
            case ChatEvent.ToolReturned result -> frame("tool_result", EventPayloads.toolResult(result));
            case ChatEvent.Retrying retrying -> frame("retry", new EventPayloads.RetryEvent("retry",
                    retrying.attempt(), retrying.reason(), retrying.delay().toMillis(),
                    retrying.model().orElse(null)));
            case ChatEvent.TurnDone done -> frame("done", EventPayloads.done(turnId, done));
            case ChatEvent.TurnFailed failed -> frame("error", EventPayloads.error(turnId, failed));
        };
    }

    /**
     * A {@code text} frame, {@code {"type":"text","text":"…"}}, written by hand: text frames are nearly all the frames
     * of a stream, and the ObjectMapper was nearly all the cost of encoding them (profile in bench/README.md). The
     * text is escaped by Jackson's own string encoder, so the JSON is the mapper's, byte for byte.
     */
    private String textFrame(String text) {
        StringBuilder frame = new StringBuilder(64 + text.length());
        frame.append("id: ").append(nextId++).append("\nevent: text\ndata: {\"type\":\"text\",\"text\":\"");
        JsonStringEncoder.getInstance().quoteAsString(text, frame);
        return frame.append("\"}\n\n").toString();
    }

    private String frame(String name, Object payload) {
        return frame(nextId++, name, payload);
    }

    private String frame(long id, String name, Object payload) {
        try {
            // JSON never contains a raw newline, so one data line always suffices.
            return "id: " + id + "\nevent: " + name + "\ndata: " + mapper.writeValueAsString(payload) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + name + " event", e);
        }
    }
}
