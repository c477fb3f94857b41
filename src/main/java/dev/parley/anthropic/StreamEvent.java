package dev.parley.anthropic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One event of a streamed response (§2.2). New event types arrive as {@link Unknown} and are ignored. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", defaultImpl = StreamEvent.Unknown.class)
@JsonSubTypes({
        @JsonSubTypes.Type(value = StreamEvent.MessageStart.class, name = "message_start"),
        @JsonSubTypes.Type(value = StreamEvent.ContentBlockStart.class, name = "content_block_start"),
        @JsonSubTypes.Type(value = StreamEvent.ContentBlockDelta.class, name = "content_block_delta"),
        @JsonSubTypes.Type(value = StreamEvent.ContentBlockStop.class, name = "content_block_stop"),
        @JsonSubTypes.Type(value = StreamEvent.MessageDelta.class, name = "message_delta"),
        @JsonSubTypes.Type(value = StreamEvent.MessageStop.class, name = "message_stop"),
        @JsonSubTypes.Type(value = StreamEvent.Ping.class, name = "ping"),
        @JsonSubTypes.Type(value = StreamEvent.Error.class, name = "error")})
@RegisterForReflection
public sealed interface StreamEvent {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record MessageStart(Message message) implements StreamEvent {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record ContentBlockStart(int index, ContentBlock contentBlock) implements StreamEvent {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record ContentBlockDelta(int index, Delta delta) implements StreamEvent {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record ContentBlockStop(int index) implements StreamEvent {
    }

    /** The end of a message: stop reason and cumulative usage. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record MessageDelta(StopInfo delta, Usage usage) implements StreamEvent {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record StopInfo(String stopReason, String stopSequence, JsonNode stopDetails) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record MessageStop() implements StreamEvent {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Ping() implements StreamEvent {
    }

    /** An error inside a 200 stream; the stream ends after it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Error(ErrorBody.Detail error, String requestId) implements StreamEvent {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Unknown() implements StreamEvent {
    }
}
