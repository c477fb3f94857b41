package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.harness.StandInUpstream;

/**
 * {@code GET /v1/service} when the upstream is parley's simulator reached over HTTP at a base URL of its own, as a
 * simulator in another process is (here this application's, through {@link StandInUpstream}): it says so itself.
 */
@QuarkusTest
@TestProfile(ServiceStandaloneSimulatorTest.StandaloneSimulator.class)
class ServiceStandaloneSimulatorTest {

    public static class StandaloneSimulator implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The probe waits for the first byte; a loaded machine's can take longer than the test profile's 1 s.
            return Map.of("parley.anthropic.base-url", StandInUpstream.baseUrl(StandInUpstream.Mode.SIMULATOR),
                    "parley.anthropic.first-byte-timeout", "10s");
        }
    }

    @TestHTTPResource("/simulator")
    URI simulator;

    @BeforeEach
    void forward() {
        StandInUpstream.set(StandInUpstream.Mode.SIMULATOR);
        StandInUpstream.forwardTo(simulator);
    }

    @Test
    void aSimulatorAtAnyBaseUrlIsTheSimulator() {
        ServiceRemoteUpstreamTest.upstreamIs("simulator");
        assertThat(StandInUpstream.takeRequests()).containsExactly(
                "GET /v1/models?limit=1 x-api-key=parley-simulator-key anthropic-version=2023-06-01");
    }
}
