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

/**
 * The PostgreSQL ledger behind a TCP switch: readiness follows the database, DOWN while it does not answer and UP
 * again once it does.
 */
@QuarkusTest
@TestProfile(LedgerReadinessTest.BehindASwitch.class)
class LedgerReadinessTest {

    public static class BehindASwitch implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.ledger.store", "postgresql", "quarkus.datasource.ledger-pg.jdbc.url",
                    "jdbc:postgresql://127.0.0.1:" + TcpSwitch.to(5432).port() + "/test",
                    "parley.health.timeout", "1s");
        }
    }

    @AfterEach
    void databaseBack() {
        TcpSwitch.to(5432).up();
    }

    @Test
    void readinessFollowsTheLedgerDatabase() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'ledger' }.data.database", equalTo("up"));

        TcpSwitch.to(5432).down();
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/health/ready").statusCode() == 503);
        given().get("/q/health/ready").then().body("checks.find { it.name == 'ledger' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'ledger' }.data.database", equalTo("down"))
                .body("checks.find { it.name == 'conversations' }.status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200);

        TcpSwitch.to(5432).up();
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }
}
