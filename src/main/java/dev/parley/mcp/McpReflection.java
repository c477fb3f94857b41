package dev.parley.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The MCP SDK's schema types, registered for reflection for a native executable: the SDK reads and writes every
 * JSON-RPC message with Jackson, through the records nested in {@code McpSchema} (requests, results, content), which a
 * native image cannot find by reflection unless they are registered.
 */
@RegisterForReflection(targets = McpSchema.class, ignoreNested = false)
final class McpReflection {

    private McpReflection() {
    }
}
