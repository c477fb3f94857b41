package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ResumableStreamTest} against the packaged application (the native executable in the native pass). */
@QuarkusIntegrationTest
class ResumableStreamIT extends ResumableStreamTest {
}
