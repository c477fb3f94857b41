package dev.parley;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The Kubernetes probes of a running service: alive, and ready for traffic. */
@QuarkusTest
class HealthTest {

    @Test
    void isAliveWithoutAskingTheUpstream() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", empty());
    }

    @Test
    void isReadyUntilShutdownBegins() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("Graceful Shutdown"));
    }

    @Test
    void readinessListsOnlyParleysOwnChecksBesidesShutdown() {
        // Quarkus's own datasource check would list the inactive ledger database too (README: it is off).
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", containsInAnyOrder("Graceful Shutdown", "ledger", "conversations", "mcp"));
    }

    @Test
    void readinessCoversTheLedgerDatabaseAndTheConversationStore() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'ledger' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'ledger' }.data.database", equalTo("up"))
                .body("checks.find { it.name == 'ledger' }.data.required", equalTo(true))
                .body("checks.find { it.name == 'conversations' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'conversations' }.data.store", equalTo("memory"));
    }

    @Test
    void wellnessReportsTheUpstreamReachable() {
        given().get("/q/health/well").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'upstream' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'upstream' }.data.upstream", equalTo("reachable"))
                .body("checks.find { it.name == 'upstream' }.data.host", equalTo("localhost"));
    }
}
