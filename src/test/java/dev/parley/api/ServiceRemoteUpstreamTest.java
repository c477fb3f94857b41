package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code GET /v1/service} with any base URL but {@code embedded}: the page must not claim replies are simulated. */
@QuarkusTest
@TestProfile(ServiceRemoteUpstreamTest.RemoteUpstream.class)
class ServiceRemoteUpstreamTest {

    public static class RemoteUpstream implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Never called: the test only asks what the upstream is.
            return Map.of("parley.anthropic.base-url", "https://api.anthropic.invalid");
        }
    }

    @Test
    void anyOtherBaseUrlIsAnthropic() {
        given().accept("application/json").get("/v1/service").then().statusCode(200)
                .body("upstream", equalTo("anthropic"))
                .body("version", equalTo("0.1.0-SNAPSHOT"));
    }
}
