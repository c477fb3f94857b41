package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.Message;
import dev.parley.anthropic.MessageRequest;
import dev.parley.harness.LogCapture;
import dev.parley.harness.TestEgressProxy;

/**
 * An upstream reached only through an egress proxy, with a CA of its own: streamed chats and one-shot calls both go
 * through the proxy's {@code CONNECT} tunnel, with its credentials, trusting the configured CA besides the JVM's, and
 * the credentials never reach a log line. {@code parley.anthropic.proxy.url} wins over {@code HTTPS_PROXY}, which
 * here names a port nothing listens on.
 */
@QuarkusTest
@TestProfile(EgressProxyTest.ExplicitProxy.class)
class EgressProxyTest extends EgressTest {

    public static class ExplicitProxy extends EgressUpstreamProfile {
        public ExplicitProxy() {
            super(Map.of("parley.anthropic.base-url", EgressUpstream.TLS_UPSTREAM,
                    "parley.anthropic.proxy.url", EgressUpstream.PROXY_WITH_CREDENTIALS,
                    "parley.anthropic.trust-store", EgressUpstream.CA_FILE,
                    "HTTPS_PROXY", "http://localhost:${test.closed-port}",
                    // The whole run's log, start-up included, where the route is logged.
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", "target/egress-proxy-test.log"));
        }
    }

    @Test
    void aStreamedChatGoesThroughTheProxysTunnelWithItsCredentials() {
        SseTestClient.StreamReply reply = new SseTestClient(app)
                .stream(SseTestClient.json(Map.of("message", "Hi [[sim:reply=Through the tunnel.]]")));

        assertThat(reply.names()).endsWith("done");
        assertThat(reply.text()).isEqualTo("Through the tunnel.");
        // The tunnel may be one an earlier call opened: the connection the upstream saw is one of the proxy's.
        assertThat(EgressUpstream.frontSawOnlyTunnels()).as("front saw %s, tunnels %s", EgressUpstream.frontSaw(),
                EgressUpstream.tunnelPorts()).isTrue();
        assertThat(EgressUpstream.proxySaw())
                .allMatch(line -> line.equals("CONNECT localhost:" + EgressUpstream.port("test.front.tls-port")
                        + " auth=ok"));
    }

    @Test
    void oneShotCallsGoThroughTheProxyToo() {
        Message message = client.create(request("[[sim:reply=One shot.]]")).await().atMost(WAIT);
        long counted = client.countTokens(request("Count me"), WAIT).await().atMost(WAIT);

        assertThat(message.text()).isEqualTo("One shot.");
        assertThat(counted).isPositive();
        assertThat(EgressUpstream.frontSaw()).hasSize(2)
                .anyMatch(line -> line.startsWith("POST /simulator/v1/messages/count_tokens "));
        assertThat(EgressUpstream.frontSawOnlyTunnels()).isTrue();
    }

    @Test
    void theWellnessCheckProvesThePathThroughTheProxy() {
        given().baseUri(app.toString()).get("/q/health/well").then().statusCode(200)
                .body("checks.find { it.name == 'upstream' }.data.upstream", equalTo("reachable"));

        // A direct connection would have reached the front too (it is on localhost); the proxy saw the check's tunnel.
        assertThat(EgressUpstream.proxySaw())
                .contains("CONNECT localhost:" + EgressUpstream.port("test.front.tls-port") + " auth=ok");
    }

    @Test
    void theProxysCredentialsNeverReachALogLine() throws IOException {
        try (LogCapture logs = LogCapture.everything()) {
            // A failure is where a URL or a header would be logged, if anything did.
            new SseTestClient(app).stream(SseTestClient.json(Map.of("message", "Hi [[sim:fault=500 times=always]]")));
            client.create(request("[[sim:fault=400]]")).onFailure().recoverWithNull().await().atMost(WAIT);

            assertThat(logs.lines()).isNotEmpty();
            assertThat(logs.lines()).noneMatch(line -> holdsTheCredentials(line.message()));
        }
        Path file = Path.of(ConfigProvider.getConfig().getValue("quarkus.log.file.path", String.class));
        String startUp = "through the proxy http://localhost:" + EgressUpstream.port("test.proxy.port")
                + " (from parley.anthropic.proxy.url)";
        await().atMost(WAIT).until(() -> Files.readString(file).contains("upstream failure"));
        assertThat(Files.readString(file)).contains(startUp);
        assertThat(Files.readString(file).lines()).noneMatch(EgressProxyTest::holdsTheCredentials);
    }

    private static boolean holdsTheCredentials(String text) {
        return text.contains(EgressUpstream.PASSWORD) || text.contains(
                TestEgressProxy.basic(EgressUpstream.USER, EgressUpstream.PASSWORD).substring("Basic ".length()));
    }

    static MessageRequest request(String text) {
        return new MessageRequest("claude-sonnet-4-6", 64, List.of(InputMessage.user(text)), null, null, null, null,
                null, null, null);
    }
}
