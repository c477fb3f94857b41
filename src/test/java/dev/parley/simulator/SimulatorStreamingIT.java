package dev.parley.simulator;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link SimulatorStreamingTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class SimulatorStreamingIT extends SimulatorStreamingTest {
}
