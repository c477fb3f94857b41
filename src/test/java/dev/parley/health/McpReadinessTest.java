package dev.parley.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.harness.McpServerProcess;
import dev.parley.mcp.McpServers;
import dev.parley.mcp.McpTestConfig;

/** A server configured {@code required} holds readiness DOWN while it is not up; any other only shows in the data. */
class McpReadinessTest {

    private final McpServerProcess server = McpServerProcess.start();
    private McpServers servers;

    @AfterEach
    void stop() {
        if (servers != null) {
            McpTestConfig.close(servers);
        }
        server.close();
    }

    @Test
    void aRequiredServerThatIsDownMakesTheReplicaUnready() {
        String url = server.uri().toString();
        servers = McpTestConfig.started(Map.of(
                "needed", McpTestConfig.server(url, Map.of(), Optional.empty(), true),
                "optional", McpTestConfig.server(url, Map.of(), Optional.empty(), false)), Map.of());
        McpReadiness readiness = new McpReadiness(servers);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            HealthCheckResponse ready = readiness.call().await().atMost(Duration.ofSeconds(1));
            assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
            assertThat(ready.getData().orElseThrow()).containsEntry("needed", "up (4 tools)")
                    .containsEntry("optional", "up (4 tools)");
        });

        server.stop();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            HealthCheckResponse ready = readiness.call().await().atMost(Duration.ofSeconds(1));
            assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(ready.getData().orElseThrow().get("needed").toString()).startsWith("down: ");
        });
    }
}
