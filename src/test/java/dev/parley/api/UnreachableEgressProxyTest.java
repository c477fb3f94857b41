package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.anthropic.AnthropicException;

/**
 * A proxy nobody listens at (a wrong port, a proxy that is down): {@code upstream_proxy_unavailable}, retryable like
 * any connection that cannot be made, so the round is retried before it ends with that code.
 */
@QuarkusTest
@TestProfile(UnreachableEgressProxyTest.ProxyDown.class)
class UnreachableEgressProxyTest extends EgressTest {

    public static class ProxyDown extends EgressUpstreamProfile {
        public ProxyDown() {
            super(Map.of("parley.anthropic.base-url", EgressUpstream.TLS_UPSTREAM,
                    "parley.anthropic.proxy.url", "http://localhost:${test.closed-port}",
                    "parley.anthropic.trust-store", EgressUpstream.CA_FILE));
        }
    }

    @Test
    void anUnreachableProxyIsRetriedThenEndsTheStreamWithUpstreamProxyUnavailable() {
        SseTestClient.StreamReply reply = new SseTestClient(app).stream(SseTestClient.json(Map.of("message", "Hi")));

        assertThat(reply.names()).containsExactly("retry", "retry", "error");
        assertThat(reply.events().getFirst().data().path("reason").asText()).isEqualTo("upstream_proxy_unavailable");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_proxy_unavailable");
        assertThat(reply.last().data().path("error").path("retryable").asBoolean()).isTrue();
    }

    @Test
    void aOneShotCallThroughAnUnreachableProxyIsTypedTheSame() {
        AnthropicException failed = catchThrowableOfType(AnthropicException.class,
                () -> client.create(EgressProxyTest.request("Hi")).await().atMost(WAIT));

        assertThat(failed.kind()).isEqualTo(AnthropicException.Kind.PROXY_UNAVAILABLE);
        assertThat(failed.retryable()).isTrue();
    }
}
