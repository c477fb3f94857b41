package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.Message;

/**
 * An {@code http://} upstream (a standalone simulator, say) behind a proxy from {@code HTTP_PROXY}: no tunnel, each
 * request goes to the proxy with its absolute URI and the proxy's credentials, streamed and one-shot alike; a 407 to
 * such a request is the proxy's refusal, typed like a refused {@code CONNECT}.
 */
@QuarkusTest
@TestProfile(PlainHttpEgressProxyTest.PlainUpstream.class)
class PlainHttpEgressProxyTest extends EgressTest {

    public static class PlainUpstream extends EgressUpstreamProfile {
        public PlainUpstream() {
            super(Map.of("parley.anthropic.base-url", "http://localhost:${test.front.plain-port}/simulator",
                    "HTTP_PROXY", EgressUpstream.PROXY_WITH_CREDENTIALS,
                    "HTTPS_PROXY", "http://localhost:${test.closed-port}"));
        }
    }

    @Test
    void streamedAndOneShotCallsAreForwardedWithTheirAbsoluteUri() {
        SseTestClient.StreamReply reply = new SseTestClient(app)
                .stream(SseTestClient.json(Map.of("message", "Hi [[sim:reply=Forwarded.]]")));
        Message message = client.create(EgressProxyTest.request("[[sim:reply=Also forwarded.]]")).await()
                .atMost(WAIT);

        assertThat(reply.text()).isEqualTo("Forwarded.");
        assertThat(message.text()).isEqualTo("Also forwarded.");
        String messages = "POST http://localhost:" + EgressUpstream.port("test.front.plain-port")
                + "/simulator/v1/messages auth=ok";
        assertThat(EgressUpstream.proxySaw()).containsExactly(messages, messages);
    }

    @Test
    void aProxyRefusingAForwardedRequestEndsTheStreamWithUpstreamProxyRefused() {
        given().post(EgressUpstream.proxy("/require/someone/else-entirely")).then().statusCode(204);

        SseTestClient.StreamReply reply = new SseTestClient(app).stream(SseTestClient.json(Map.of("message", "Hi")));
        AnthropicException refused = catchThrowableOfType(AnthropicException.class,
                () -> client.create(EgressProxyTest.request("Hi")).await().atMost(WAIT));

        assertThat(reply.names()).containsExactly("error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_proxy_refused");
        assertThat(refused.kind()).isEqualTo(AnthropicException.Kind.PROXY_REFUSED);
        assertThat(refused.status()).isEqualTo(407);
        assertThat(EgressUpstream.frontSaw()).isEmpty();
    }
}
