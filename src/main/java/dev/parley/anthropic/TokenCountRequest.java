package dev.parley.anthropic;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /v1/messages/count_tokens} (§6.3): a message request's prompt, without {@code max_tokens},
 * {@code stream} or sampling fields, which the API refuses there.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record TokenCountRequest(String model, List<InputMessage> messages, List<ContentBlock.Text> system,
        List<ToolDefinition> tools, ToolChoice toolChoice, ThinkingConfig thinking,
        MessageRequest.OutputConfig outputConfig, CacheControl cacheControl) {

    /** The prompt of a message request, as that request would send it. */
    public static TokenCountRequest of(MessageRequest request) {
        return new TokenCountRequest(request.model(), request.messages(), request.system(), request.tools(),
                request.toolChoice(), request.thinking(), request.outputConfig(), request.cacheControl());
    }
}
