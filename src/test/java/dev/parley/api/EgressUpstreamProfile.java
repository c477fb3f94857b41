package dev.parley.api;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A test profile whose upstream is {@link EgressUpstream}'s (a TLS front of the simulator, an egress proxy, a test
 * CA), with the given settings: each egress test names only what it varies.
 */
abstract class EgressUpstreamProfile implements QuarkusTestProfile {

    private final Map<String, String> config;

    EgressUpstreamProfile(Map<String, String> config) {
        this.config = config;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return config;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(EgressUpstream.class));
    }
}
