package dev.parley.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link BudgetCeilingTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class BudgetCeilingIT extends BudgetCeilingTest {
}
