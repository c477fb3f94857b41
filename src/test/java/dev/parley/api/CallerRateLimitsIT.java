package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link CallerRateLimitsTest} against the packaged application (the native executable in the native pass). */
@QuarkusIntegrationTest
class CallerRateLimitsIT extends CallerRateLimitsTest {
}
