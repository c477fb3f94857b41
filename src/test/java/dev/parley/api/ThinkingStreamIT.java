package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ThinkingStreamTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class ThinkingStreamIT extends ThinkingStreamTest {
}
