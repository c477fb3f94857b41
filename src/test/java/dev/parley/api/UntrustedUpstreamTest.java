package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.anthropic.AnthropicException;

/**
 * The same proxied TLS upstream without {@code parley.anthropic.trust-store}: its certificate is signed by a CA the
 * JVM does not know, so the handshake fails, typed {@code upstream_tls_failed} and not retried (the certificate will
 * not be trusted the next time either), on both call paths.
 */
@QuarkusTest
@TestProfile(UntrustedUpstreamTest.NoCaBundle.class)
class UntrustedUpstreamTest extends EgressTest {

    public static class NoCaBundle extends EgressUpstreamProfile {
        public NoCaBundle() {
            super(Map.of("parley.anthropic.base-url", EgressUpstream.TLS_UPSTREAM,
                    "parley.anthropic.proxy.url", EgressUpstream.PROXY_WITH_CREDENTIALS));
        }
    }

    @Test
    void anUntrustedCertificateEndsTheStreamWithUpstreamTlsFailed() {
        SseTestClient.StreamReply reply = new SseTestClient(app).stream(SseTestClient.json(Map.of("message", "Hi")));

        assertThat(reply.names()).containsExactly("error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_tls_failed");
        assertThat(reply.last().data().path("error").path("retryable").asBoolean()).isFalse();
        // The tunnel was open: it is the upstream's certificate that was refused, not the proxy.
        assertThat(EgressUpstream.proxySaw()).containsExactly(
                "CONNECT localhost:" + EgressUpstream.port("test.front.tls-port") + " auth=ok");
        assertThat(EgressUpstream.frontSaw()).isEmpty();
    }

    @Test
    void aOneShotCallToAnUntrustedUpstreamIsTypedTheSame() {
        AnthropicException failed = catchThrowableOfType(AnthropicException.class,
                () -> client.countTokens(EgressProxyTest.request("Hi"), WAIT).await().atMost(WAIT));

        assertThat(failed.kind()).isEqualTo(AnthropicException.Kind.TLS_FAILED);
        assertThat(failed.retryable()).isFalse();
    }
}
