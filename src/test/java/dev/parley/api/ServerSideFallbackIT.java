package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ServerSideFallbackTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class ServerSideFallbackIT extends ServerSideFallbackTest {
}
