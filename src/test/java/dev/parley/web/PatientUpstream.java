package dev.parley.web;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The test profile's upstream timeouts (1 s to the first byte) are made for fast API tests; a browser, a page and
 * the application sharing two loaded cores can miss them, and a timed-out turn is not what these tests are about.
 */
public class PatientUpstream implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("parley.anthropic.first-byte-timeout", "15s",
                "parley.anthropic.first-content-timeout", "20s",
                "parley.anthropic.idle-timeout", "15s");
    }
}
