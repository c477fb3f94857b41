package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ToolApprovalsTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class ToolApprovalsIT extends ToolApprovalsTest {
}
