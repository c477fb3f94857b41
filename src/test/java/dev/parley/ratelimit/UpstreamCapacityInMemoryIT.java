package dev.parley.ratelimit;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link UpstreamCapacityInMemoryTest} against the packaged application (the native executable in the native pass). */
@QuarkusIntegrationTest
class UpstreamCapacityInMemoryIT extends UpstreamCapacityInMemoryTest {
}
