package dev.parley.anthropic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Extended thinking: {@code enabled} with a token budget, {@code adaptive}, {@code between_tools} (no thinking before
 * the first tool call) or {@code disabled}; {@code display} chooses what the thinking text holds ({@code summarized},
 * {@code omitted}: empty with its signature, {@code updates}: short progress notes between tool calls).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record ThinkingConfig(String type, Long budgetTokens, String display) {

    public static final String ADAPTIVE = "adaptive";
    public static final String BETWEEN_TOOLS = "between_tools";
    public static final String DISABLED = "disabled";
    public static final String ENABLED = "enabled";
    /** The display that shows only the notes between tool calls (a beta: {@code anthropic-beta} is added for it). */
    public static final String UPDATES = "updates";
}
