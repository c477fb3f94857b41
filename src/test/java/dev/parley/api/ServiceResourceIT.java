package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ServiceResourceTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class ServiceResourceIT extends ServiceResourceTest {
}
