package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;

/**
 * The packaged application talks to any Anthropic-compatible upstream given only {@code ANTHROPIC_BASE_URL} and
 * {@code ANTHROPIC_API_KEY}: here, a second process serving the simulator, which the relay recognises as one. The key
 * never shows in its output.
 */
@PackagedJar
class SeparateUpstreamIT {

    @Test
    void packagedRelayStreamsFromAnUpstreamInAnotherProcess() throws Exception {
        try (ParleyProcess upstream = ParleyProcess.simulator();
                ParleyProcess relay = ParleyProcess.start("relay", Map.of(
                        "ANTHROPIC_BASE_URL", upstream.uri() + "/simulator",
                        "ANTHROPIC_API_KEY", "parley-simulator-key"))) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(relay.uri().resolve("/v1/chat/stream"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"[[sim:reply=From afar.]]\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("event: done").contains("\"text\":\" afar\"");
            // Its upstream says it is a simulator, so the relay's chat page does not claim Claude.
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(relay.uri().resolve("/v1/service"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).contains("\"upstream\":\"simulator\"");
            // The relay does not serve a simulator of its own in production.
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(relay.uri().resolve(
                    "/simulator/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(404);
            assertThat(String.join("\n", relay.output())).doesNotContain("parley-simulator-key");
        }
    }
}
