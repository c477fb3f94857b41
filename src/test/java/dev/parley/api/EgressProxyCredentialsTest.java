package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.anthropic.AnthropicException;
import dev.parley.harness.LogCapture;
import dev.parley.harness.TestEgressProxy;

/**
 * A proxy that refuses parley's credentials (407 to its {@code CONNECT}): the stream ends with the stable code
 * {@code upstream_proxy_refused}, not retried (a 4xx, by the same rule as the upstream's), and one-shot calls fail
 * typed alike; the wrong password is in no log line either.
 */
@QuarkusTest
@TestProfile(EgressProxyCredentialsTest.WrongCredentials.class)
class EgressProxyCredentialsTest extends EgressTest {

    private static final String WRONG_PASSWORD = "not-the-proxy-password";
    public static class WrongCredentials extends EgressUpstreamProfile {
        public WrongCredentials() {
            super(Map.of("parley.anthropic.base-url", EgressUpstream.TLS_UPSTREAM,
                    "parley.anthropic.proxy.url",
                    "http://" + EgressUpstream.USER + ":" + WRONG_PASSWORD + "@localhost:${test.proxy.port}",
                    "parley.anthropic.trust-store", EgressUpstream.CA_FILE));
        }
    }

    @Test
    void aProxyRefusingTheCredentialsEndsTheStreamWithUpstreamProxyRefused() {
        try (LogCapture logs = LogCapture.everything()) {
            SseTestClient.StreamReply reply = new SseTestClient(app)
                    .stream(SseTestClient.json(Map.of("message", "Hi")));

            assertThat(reply.names()).containsExactly("error");
            assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_proxy_refused");
            assertThat(reply.last().data().path("error").path("retryable").asBoolean()).isFalse();
            assertThat(EgressUpstream.proxySaw()).containsExactly(
                    "CONNECT localhost:" + EgressUpstream.port("test.front.tls-port") + " auth=refused");
            assertThat(logs.lines()).isNotEmpty().noneMatch(line -> line.message().contains(WRONG_PASSWORD)
                    || line.message().contains(TestEgressProxy.basic(EgressUpstream.USER, WRONG_PASSWORD)
                            .substring("Basic ".length())));
        }
    }

    @Test
    void aOneShotCallRefusedByTheProxyIsTypedWithTheProxysStatus() {
        AnthropicException refused = catchThrowableOfType(AnthropicException.class,
                () -> client.create(EgressProxyTest.request("Hi")).await().atMost(WAIT));

        assertThat(refused.kind()).isEqualTo(AnthropicException.Kind.PROXY_REFUSED);
        assertThat(refused.status()).isEqualTo(407);
        assertThat(refused.retryable()).isFalse();
        assertThat(refused.getMessage()).doesNotContain(WRONG_PASSWORD);
        assertThat(EgressUpstream.frontSaw()).isEmpty();
    }
}
