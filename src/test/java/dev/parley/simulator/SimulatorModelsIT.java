package dev.parley.simulator;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link SimulatorModelsTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class SimulatorModelsIT extends SimulatorModelsTest {
}
