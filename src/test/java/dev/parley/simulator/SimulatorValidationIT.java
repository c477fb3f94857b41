package dev.parley.simulator;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link SimulatorValidationTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class SimulatorValidationIT extends SimulatorValidationTest {
}
