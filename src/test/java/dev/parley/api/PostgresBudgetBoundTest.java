package dev.parley.api;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The budget bound with the ledger on PostgreSQL (the server on this machine, database test). */
@QuarkusTest
@TestProfile(PostgresBudgetBoundTest.Postgres.class)
class PostgresBudgetBoundTest extends BudgetBoundContract {

    public static class Postgres implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(budgets());
            config.put("parley.ledger.store", "postgresql");
            return config;
        }
    }
}
