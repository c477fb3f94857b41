package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.harness.StandInUpstream;

/**
 * {@code GET /v1/service} with any base URL but {@code embedded}: what the upstream is comes from the upstream's own
 * answer, never from the URL, so the page claims neither Claude nor a simulator on a guess.
 */
@QuarkusTest
@TestProfile(ServiceRemoteUpstreamTest.RemoteUpstream.class)
class ServiceRemoteUpstreamTest {

    public static class RemoteUpstream implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.anthropic.base-url", StandInUpstream.baseUrl(StandInUpstream.Mode.DOWN));
        }
    }

    @AfterEach
    void forget() {
        StandInUpstream.takeRequests();
    }

    @Test
    void isAnthropicOnceTheUpstreamAnsweredWithoutTheSimulatorsHeaderAndUnknownUntilThen() {
        StandInUpstream.set(StandInUpstream.Mode.DOWN);
        upstreamIs("unknown");
        upstreamIs("unknown");
        // Not remembered: each ask asked.
        assertThat(StandInUpstream.takeRequests()).hasSize(2);

        StandInUpstream.set(StandInUpstream.Mode.ANTHROPIC);
        upstreamIs("anthropic");
        assertThat(StandInUpstream.takeRequests())
                .containsExactly("GET /v1/models?limit=1 x-api-key=parley-simulator-key anthropic-version=2023-06-01");

        // Remembered: the upstream behind a base URL does not change while parley runs.
        StandInUpstream.set(StandInUpstream.Mode.DOWN);
        upstreamIs("anthropic");
        assertThat(StandInUpstream.takeRequests()).isEmpty();
    }

    static void upstreamIs(String upstream) {
        given().accept("application/json").get("/v1/service").then().statusCode(200)
                .body("upstream", equalTo(upstream))
                .body("version", equalTo("0.1.0-SNAPSHOT"));
    }
}
