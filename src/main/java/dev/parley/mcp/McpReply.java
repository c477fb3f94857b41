package dev.parley.mcp;

/**
 * What an MCP server answered to a call: its content as text for the model, and whether it is a tool error
 * ({@code isError: true}, which the model sees and may act on).
 */
public record McpReply(boolean isError, String text) {
}
