package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code parley.anthropic.proxy.no-proxy} names the upstream's host: streams go straight to it, and the proxy,
 * although configured, never sees a request. The key wins over {@code NO_PROXY}, which here names another host.
 */
@QuarkusTest
@TestProfile(NoProxyBypassTest.UpstreamBypassesTheProxy.class)
class NoProxyBypassTest extends EgressTest {

    public static class UpstreamBypassesTheProxy extends EgressUpstreamProfile {
        public UpstreamBypassesTheProxy() {
            super(Map.of("parley.anthropic.base-url", EgressUpstream.TLS_UPSTREAM,
                    "parley.anthropic.proxy.url", EgressUpstream.PROXY_WITH_CREDENTIALS,
                    "parley.anthropic.proxy.no-proxy", "internal.example, .LOCALHOST",
                    "NO_PROXY", "example.com",
                    "parley.anthropic.trust-store", EgressUpstream.CA_FILE));
        }
    }

    @Test
    void anUpstreamNamedByNoProxyIsCalledDirectly() {
        SseTestClient.StreamReply reply = new SseTestClient(app)
                .stream(SseTestClient.json(Map.of("message", "Hi [[sim:reply=Straight there.]]")));

        assertThat(reply.names()).endsWith("done");
        assertThat(reply.text()).isEqualTo("Straight there.");
        assertThat(EgressUpstream.frontSaw()).hasSize(1);
        assertThat(EgressUpstream.proxySaw()).isEmpty();
        assertThat(EgressUpstream.tunnelPorts()).isEmpty();
    }
}
