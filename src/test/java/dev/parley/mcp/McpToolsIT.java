package dev.parley.mcp;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link McpToolsTest} against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class McpToolsIT extends McpToolsTest {
}
