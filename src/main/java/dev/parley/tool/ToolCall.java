package dev.parley.tool;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A call the model asked for: the {@code tool_use} id to answer, the tool's name and the input exactly as the model
 * produced it ({@code null} counts as an empty object).
 */
public record ToolCall(String id, String name, JsonNode input) {

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
    }
}
