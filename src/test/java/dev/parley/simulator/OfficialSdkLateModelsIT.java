package dev.parley.simulator;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link OfficialSdkLateModelsTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class OfficialSdkLateModelsIT extends OfficialSdkLateModelsTest {
}
