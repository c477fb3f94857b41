package dev.parley.mcp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** MCP configuration made by hand, for tests that build {@link McpServers} without an application around it. */
public final class McpTestConfig {

    private McpTestConfig() {
    }

    /** The servers, connecting in the background as at start-up; the environment holds only {@code environment}. */
    public static McpServers started(Map<String, McpConfig.Server> servers, Map<String, String> environment) {
        Function<String, Optional<String>> variables = name -> Optional.ofNullable(environment.get(name));
        McpServers started = new McpServers(config(servers), variables);
        started.start();
        return started;
    }

    /** Stops the servers' connections. */
    public static void close(McpServers servers) {
        servers.close();
    }

    /** Short timings: a ping every 200 ms, reconnecting after 100 ms up to 400 ms. */
    public static McpConfig config(Map<String, McpConfig.Server> servers) {
        return new McpConfig() {
            public Map<String, Server> servers() {
                return servers;
            }

            public Duration pingInterval() {
                return Duration.ofMillis(200);
            }

            public Duration connectTimeout() {
                return Duration.ofSeconds(2);
            }

            public Duration reconnectInitialBackoff() {
                return Duration.ofMillis(100);
            }

            public Duration reconnectMaxBackoff() {
                return Duration.ofMillis(400);
            }
        };
    }

    public static McpConfig.Server server(String url, Map<String, String> headers, Optional<String> tokenVariable,
            boolean required) {
        return new McpConfig.Server() {
            public String url() {
                return url;
            }

            public Map<String, String> headers() {
                return headers;
            }

            public Optional<String> bearerTokenEnv() {
                return tokenVariable;
            }

            public Optional<List<String>> allowedTools() {
                return Optional.empty();
            }

            public Duration callTimeout() {
                return Duration.ofSeconds(30);
            }

            public boolean required() {
                return required;
            }
        };
    }
}
