package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link McpToolApprovalsTest} against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class McpToolApprovalsIT extends McpToolApprovalsTest {
}
