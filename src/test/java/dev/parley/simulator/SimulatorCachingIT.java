package dev.parley.simulator;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link SimulatorCachingTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class SimulatorCachingIT extends SimulatorCachingTest {
}
