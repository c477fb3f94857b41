package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ModelFallbackTest} against the packaged application (the native executable in the native pass). */
@QuarkusIntegrationTest
class ModelFallbackIT extends ModelFallbackTest {
}
