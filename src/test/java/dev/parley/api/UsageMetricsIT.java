package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link UsageMetricsTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class UsageMetricsIT extends UsageMetricsTest {
}
