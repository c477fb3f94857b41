package dev.parley;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link HealthTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class HealthIT extends HealthTest {
}
