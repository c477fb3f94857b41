package dev.parley.anthropic;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An assistant message: the non-streaming response, or what a stream accumulates to (§1.4). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record Message(String id, String model, List<ContentBlock> content, String stopReason, String stopSequence,
        JsonNode stopDetails, Usage usage) {

    public static final String STOP_TOOL_USE = "tool_use";
    public static final String STOP_MAX_TOKENS = "max_tokens";

    public Message {
        content = content == null ? List.of() : List.copyOf(content);
        usage = usage == null ? Usage.EMPTY : usage;
    }

    /** The text of all text blocks. */
    public String text() {
        return ContentBlock.joinText(content);
    }
}
