package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ChatValidationTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class ChatValidationIT extends ChatValidationTest {
}
