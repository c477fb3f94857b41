package dev.parley;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ReadmeExamplesTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class ReadmeExamplesIT extends ReadmeExamplesTest {
}
