package dev.parley.mcp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool an MCP server listed, as parley offers it.
 *
 * @param server the configured server's name
 * @param name the tool's name on that server, as it is called there
 * @param offeredName what the model calls it: {@code <server>__<name>}, made to fit the Messages API's tool names
 * @param description the server's description (empty when it gave none)
 * @param inputSchema the server's JSON Schema of the input, as listed
 */
public record McpTool(String server, String name, String offeredName, String description, JsonNode inputSchema) {
}
