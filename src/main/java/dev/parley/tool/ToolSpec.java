package dev.parley.tool;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the model is told about a tool: its name, description and the JSON Schema of its input (an object schema,
 * {@code {"type":"object","properties":…,"required":[…],"additionalProperties":false}}, without {@code $schema}).
 */
public record ToolSpec(String name, String description, JsonNode inputSchema) {
}
