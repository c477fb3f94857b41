package dev.parley.simulator;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link OfficialSdkFidelityTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class OfficialSdkFidelityIT extends OfficialSdkFidelityTest {
}
