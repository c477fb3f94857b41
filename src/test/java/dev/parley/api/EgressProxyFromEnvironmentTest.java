package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Nothing under {@code parley.anthropic.proxy.*}: the proxy comes from {@code HTTPS_PROXY}, credentials included, as
 * for curl and the official Python SDK, and a {@code NO_PROXY} that names other hosts leaves the upstream proxied. (A
 * test profile stands in for the environment: parley reads the variables through the configuration.)
 */
@QuarkusTest
@TestProfile(EgressProxyFromEnvironmentTest.ProxyVariables.class)
class EgressProxyFromEnvironmentTest extends EgressTest {

    public static class ProxyVariables extends EgressUpstreamProfile {
        public ProxyVariables() {
            super(Map.of("parley.anthropic.base-url", EgressUpstream.TLS_UPSTREAM,
                    "HTTPS_PROXY", EgressUpstream.PROXY_WITH_CREDENTIALS,
                    "NO_PROXY", ".example.com,10.0.0.0/8,localhost:1",
                    "parley.anthropic.trust-store", EgressUpstream.CA_FILE));
        }
    }

    @Test
    void httpsProxyFromTheEnvironmentCarriesTheStream() {
        SseTestClient.StreamReply reply = new SseTestClient(app)
                .stream(SseTestClient.json(Map.of("message", "Hi [[sim:reply=From the environment.]]")));

        assertThat(reply.names()).endsWith("done");
        assertThat(reply.text()).isEqualTo("From the environment.");
        assertThat(EgressUpstream.frontSawOnlyTunnels()).isTrue();
    }
}
