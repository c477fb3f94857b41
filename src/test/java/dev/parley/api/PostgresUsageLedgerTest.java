package dev.parley.api;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The same usage ledger suite on PostgreSQL: the server on this machine (127.0.0.1:5432, database test). */
@QuarkusTest
@TestProfile(PostgresUsageLedgerTest.Postgres.class)
class PostgresUsageLedgerTest extends UsageLedgerContract {

    public static class Postgres implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.ledger.store", "postgresql");
        }
    }
}
