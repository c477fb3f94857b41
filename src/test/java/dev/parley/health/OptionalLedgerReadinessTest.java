package dev.parley.health;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.TcpSwitch;

/** {@code parley.health.ledger-required=false}: the ledger check reports the database, and readiness ignores it. */
@QuarkusTest
@TestProfile(OptionalLedgerReadinessTest.LedgerNotRequired.class)
class OptionalLedgerReadinessTest {

    public static class LedgerNotRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.ledger.store", "postgresql", "quarkus.datasource.ledger-pg.jdbc.url",
                    "jdbc:postgresql://127.0.0.1:" + TcpSwitch.to(5432).port() + "/test",
                    "parley.health.timeout", "1s", "parley.health.ledger-required", "false");
        }
    }

    @AfterEach
    void databaseBack() {
        TcpSwitch.to(5432).up();
    }

    @Test
    void staysReadyAndReportsTheDatabaseDown() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'ledger' }.data.database", equalTo("up"));

        TcpSwitch.to(5432).down();
        await().atMost(Duration.ofSeconds(10)).until(() -> "down".equals(given().get("/q/health/ready").then()
                .extract().path("checks.find { it.name == 'ledger' }.data.database")));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'ledger' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'ledger' }.data.required", equalTo(false));
    }
}
