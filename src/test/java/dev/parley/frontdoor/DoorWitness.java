package dev.parley.frontdoor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.restassured.path.json.JsonPath;

import dev.parley.harness.LedgerRows;

/**
 * What the two other sides of a front-door request saw of it: the simulator (the requests it received under a
 * {@code [[sim:id=…]]}, its counters) and parley's ledger (the row of an {@code X-Request-Id}), for the tests that
 * point an SDK at the front door.
 */
final class DoorWitness {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InjectableInstance<AgroalDataSource> datasources;
    private final String store;

    DoorWitness(InjectableInstance<AgroalDataSource> datasources, String store) {
        this.datasources = datasources;
        this.store = store;
    }

    /** One of the simulator's counters of {@code id}: {@code requests}, {@code tokenCounts}, {@code streamsFailed}… */
    static long counter(String id, String name) {
        return given().get("/simulator/admin/counters?id=" + id).then().statusCode(200).extract().jsonPath()
                .getLong(name);
    }

    /** The requests the simulator received under {@code id}, in order: path, headers, body. */
    static JsonPath upstreamRequests(String id) {
        return given().get("/simulator/admin/requests?id=" + id).then().statusCode(200).extract().jsonPath();
    }

    /** The same as a JSON tree (so numbers compare by value). */
    static JsonNode upstreamRequestTree(String id) {
        try {
            return JSON.readTree(given().get("/simulator/admin/requests?id=" + id).then().statusCode(200).extract()
                    .asString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body of the {@code index}th of them, as JSON. */
    static JsonNode upstreamBody(String id, int index) {
        return upstreamRequestTree(id).get(index).get("body");
    }

    /** The ledger row of the request {@code requestId}, once it is there (the ledger writes it from its journal). */
    Map<String, Object> awaitRow(String requestId) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> LedgerRows.byRequestId(ledger(), requestId), Optional::isPresent).get();
    }

    AgroalDataSource ledger() {
        String name = "embedded".equals(store) ? "ledger-h2" : "ledger-pg";
        return datasources.select(new DataSource.DataSourceLiteral(name)).get();
    }
}
