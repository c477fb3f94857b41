package dev.parley.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Admission on the default store (this replica's memory) with the one key of the test profile, at the front door.
 * Each test limits a model no other test sends messages to, so what parley learns stays with it.
 */
@QuarkusTest
class UpstreamCapacityInMemoryTest {

    @TestHTTPResource("/")
    URI app;

    @AfterEach
    void generousLimitsAgain() {
        given().post(app.resolve("/simulator/admin/reset")).then().statusCode(204);
    }

    @Test
    void aMessageWaitsForTheResetThatComesBeforeItsDeadline() {
        String model = "claude-opus-4-7";
        limit(model, 1, 3);
        send(model, "First.").then().statusCode(200);

        send(model, "Second, after the reset.").then().statusCode(200);

        JsonWindow window = window(model);
        assertThat(window.refused()).as("nothing sent that the upstream refused").isZero();
        assertThat(window.served()).isEqualTo(2);
    }

    @Test
    void aMessageWhoseResetIsBeyondItsDeadlineIsRefusedWithoutReachingTheUpstream() {
        String model = "claude-opus-4-8";
        limit(model, 1, 3600);
        send(model, "First.").then().statusCode(200);

        Response refused = send(model, "Never sent.");

        refused.then().statusCode(429).body("error.type", equalTo("rate_limit_error"));
        assertThat(refused.header("x-should-retry")).isEqualTo("false");
        assertThat(window(model).served()).isEqualTo(1);
        assertThat(window(model).refused()).isZero();
    }

    private Response send(String model, String text) {
        return given().contentType("application/json").header("anthropic-version", "2023-06-01")
                .body("{\"model\":\"" + model + "\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\""
                        + text + "\"}]}")
                .post(app.resolve("/anthropic/v1/messages"));
    }

    private void limit(String model, long requests, long windowSeconds) {
        given().contentType("application/json")
                .body(Map.of("model", model, "requests", requests, "windowSeconds", windowSeconds))
                .post(app.resolve("/simulator/admin/rate-limits")).then().statusCode(204);
    }

    private record JsonWindow(long served, long refused) {
    }

    private JsonWindow window(String model) {
        var json = given().queryParam("model", model).get(app.resolve("/simulator/admin/rate-limits")).then()
                .statusCode(200).extract().jsonPath();
        return new JsonWindow(json.getLong("served"), json.getLong("refused"));
    }
}
