package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link CachingPaysTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class CachingPaysIT extends CachingPaysTest {
}
