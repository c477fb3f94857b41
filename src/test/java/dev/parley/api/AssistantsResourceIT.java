package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link AssistantsResourceTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class AssistantsResourceIT extends AssistantsResourceTest {
}
