package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** {@code GET /v1/service}: whether replies come from the simulator or from Anthropic, and parley's version. */
@QuarkusTest
class ServiceResourceTest {

    @Test
    void theEmbeddedUpstreamIsTheSimulator() {
        given().accept("application/json").get("/v1/service").then().statusCode(200)
                .contentType("application/json")
                .header("X-Request-Id", notNullValue())
                .body("upstream", equalTo("simulator"))
                .body("version", equalTo("0.1.0-SNAPSHOT"));
    }
}
