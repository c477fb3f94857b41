package dev.parley.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.harness.McpServerProcess;

/**
 * A server that wants a bearer token: parley sends it from the environment variable {@code bearer-token-env} names, or
 * as a configured header; without it the server is down, and says why.
 */
class McpAuthenticationTest {

    private static final String TOKEN = "s3cret-" + System.nanoTime();

    private McpServerProcess server;
    private McpServers servers;

    @BeforeEach
    void serverWithAToken() {
        server = McpServerProcess.start(TOKEN);
    }

    @AfterEach
    void stop() {
        if (servers != null) {
            servers.close();
        }
        server.close();
    }

    @Test
    void theTokenComesFromTheNamedEnvironmentVariableOrAHeader() {
        String url = server.uri().toString();
        servers = McpTestConfig.started(Map.of(
                "from-env", McpTestConfig.server(url, Map.of(), Optional.of("CRM_TOKEN"), false),
                "from-header", McpTestConfig.server(url, Map.of("Authorization", "Bearer " + TOKEN), Optional.empty(),
                        false),
                "without", McpTestConfig.server(url, Map.of(), Optional.empty(), false)),
                Map.of("CRM_TOKEN", TOKEN));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Map<String, McpServerStatus> statuses = servers.statuses();
            assertThat(statuses.get("from-env").describe()).isEqualTo("up (4 tools)");
            assertThat(statuses.get("from-header").describe()).isEqualTo("up (4 tools)");
            assertThat(statuses.get("without").describe())
                    .isEqualTo("down: not authorized (HTTP 401): check its headers or bearer-token-env");
        });
        assertThat(servers.tools("from-env")).extracting(McpTool::offeredName)
                .isEqualTo(List.of("from-env__add", "from-env__echo", "from-env__fail", "from-env__slow"));
    }
}
