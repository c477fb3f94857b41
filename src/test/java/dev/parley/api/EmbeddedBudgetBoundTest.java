package dev.parley.api;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The budget bound with the embedded ledger (H2). */
@QuarkusTest
@TestProfile(EmbeddedBudgetBoundTest.Embedded.class)
class EmbeddedBudgetBoundTest extends BudgetBoundContract {

    public static class Embedded implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return budgets();
        }
    }
}
