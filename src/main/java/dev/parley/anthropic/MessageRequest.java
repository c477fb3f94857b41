package dev.parley.anthropic;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /v1/messages} (§1.2); absent optional fields are not sent. {@code cacheControl} is the
 * top-level (automatic) cache breakpoint; {@code fallbacks} the server-side fallback's models (a beta: see
 * {@link Betas}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record MessageRequest(String model, long maxTokens, List<InputMessage> messages, List<ContentBlock.Text> system,
        List<ToolDefinition> tools, ToolChoice toolChoice, ThinkingConfig thinking, List<String> stopSequences,
        Double temperature, Boolean stream, OutputConfig outputConfig, CacheControl cacheControl,
        JsonNode fallbacks) {

    public MessageRequest {
        messages = List.copyOf(messages);
    }

    /** A request without output configuration, top-level cache breakpoint or fallbacks. */
    public MessageRequest(String model, long maxTokens, List<InputMessage> messages, List<ContentBlock.Text> system,
            List<ToolDefinition> tools, ToolChoice toolChoice, ThinkingConfig thinking, List<String> stopSequences,
            Double temperature, Boolean stream) {
        this(model, maxTokens, messages, system, tools, toolChoice, thinking, stopSequences, temperature, stream, null,
                null, null);
    }

    /** The same request with {@code stream} set. */
    public MessageRequest streaming(boolean streaming) {
        return new MessageRequest(model, maxTokens, messages, system, tools, toolChoice, thinking, stopSequences,
                temperature, streaming ? Boolean.TRUE : null, outputConfig, cacheControl, fallbacks);
    }

    /** The same request with other messages (the next round of a tool loop). */
    public MessageRequest withMessages(List<InputMessage> newMessages) {
        return new MessageRequest(model, maxTokens, newMessages, system, tools, toolChoice, thinking, stopSequences,
                temperature, stream, outputConfig, cacheControl, fallbacks);
    }

    /**
     * The same request to another model, with what that model is sent as {@code thinking} and
     * {@code output_config}, and without the API's server-side {@code fallbacks}: a round parley moved to another
     * model is not moved again by the API.
     */
    public MessageRequest forModel(String otherModel, ThinkingConfig otherThinking, OutputConfig otherOutputConfig) {
        return new MessageRequest(otherModel, maxTokens, messages, system, tools, toolChoice, otherThinking,
                stopSequences, temperature, stream, otherOutputConfig, cacheControl, null);
    }

    /** {@code output_config}: here only {@code effort}, how deeply the model thinks. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record OutputConfig(String effort) {
    }
}
