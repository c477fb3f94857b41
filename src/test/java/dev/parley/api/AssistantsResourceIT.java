package dev.parley.api;

import java.util.List;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link AssistantsResourceTest}, run by failsafe against the packaged application (the JVM jar, or a native build). */
@QuarkusIntegrationTest
class AssistantsResourceIT extends AssistantsResourceTest {

    /**
     * The packaged application has every profile of the test profile but {@code toolbox}, whose test-only tool lives
     * in src/test/resources (a profile naming a missing tool would stop the jar from starting).
     */
    @Override
    List<String> expectedProfiles() {
        return List.of("default", "cached-loop", "cached1h", "cached5m", "concise", "fallback-writer",
                "omitted-thinker", "plain", "quiet-thinker", "standby", "standby-at-once", "thinker", "thinker-standby",
                "unpriced");
    }
}
