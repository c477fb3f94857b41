package dev.parley.anthropic;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code POST /v1/messages} (§1.2); absent optional fields are not sent. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record MessageRequest(String model, long maxTokens, List<InputMessage> messages, List<ContentBlock.Text> system,
        List<ToolDefinition> tools, ToolChoice toolChoice, ThinkingConfig thinking, List<String> stopSequences,
        Double temperature, Boolean stream) {

    public MessageRequest {
        messages = List.copyOf(messages);
    }

    /** The same request with {@code stream} set. */
    public MessageRequest streaming(boolean streaming) {
        return new MessageRequest(model, maxTokens, messages, system, tools, toolChoice, thinking, stopSequences,
                temperature, streaming ? Boolean.TRUE : null);
    }

    /** The same request with other messages (the next round of a tool loop). */
    public MessageRequest withMessages(List<InputMessage> newMessages) {
        return new MessageRequest(model, maxTokens, newMessages, system, tools, toolChoice, thinking, stopSequences,
                temperature, stream);
    }
}
