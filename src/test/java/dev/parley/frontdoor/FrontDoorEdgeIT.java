package dev.parley.frontdoor;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link FrontDoorEdgeTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class FrontDoorEdgeIT extends FrontDoorEdgeTest {
}
