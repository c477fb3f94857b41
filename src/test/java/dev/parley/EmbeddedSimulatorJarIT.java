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
 * The packaged service chats on its own simulator with the one setting README gives,
 * {@code PARLEY_ANTHROPIC_BASE_URL=embedded} (besides the auth mode): no simulator switch, no key. A real key left in
 * the environment, as a developer's shell has one, is neither needed nor sent, nor printed.
 */
@PackagedJar
class EmbeddedSimulatorJarIT {

    private static final String REAL_LOOKING_KEY = "sk-ant-api03-left-in-the-shell-0123456789";

    @Test
    void packagedServiceChatsOnItsOwnSimulatorWithOneSetting() throws Exception {
        try (ParleyProcess parley = ParleyProcess.start("embedded-jar",
                Map.of("PARLEY_ANTHROPIC_BASE_URL", "embedded", "ANTHROPIC_API_KEY", REAL_LOOKING_KEY))) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(parley.uri().resolve("/v1/chat/stream"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"[[sim:reply=Close to home.]]\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("event: done").contains("\"text\":\" home\"")
                    .doesNotContain("event: error");
            String simulatorLog = String.join("\n", parley.output());
            assertThat(simulatorLog).contains("Anthropic API simulator enabled").doesNotContain(REAL_LOOKING_KEY);
        }
    }
}
