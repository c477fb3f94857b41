package dev.parley.mcp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Remote MCP servers whose tools the model may call ({@code parley.mcp.*}); README "MCP servers". */
@ConfigMapping(prefix = "parley.mcp")
public interface McpConfig {

    /** The servers by name: {@code [a-z][a-z0-9-]{0,30}}, the prefix of their tools' names. Default: none. */
    Map<String, Server> servers();

    /**
     * How often a connected server is pinged; a failed ping marks it down and starts the reconnection. Default 30s.
     */
    @WithDefault("30s")
    Duration pingInterval();

    /** The longest a connection, its initialization and one listing of the tools may take. Default 10s. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** The first wait before reconnecting to a server that is down; it doubles up to {@code reconnect-max-backoff}. */
    @WithDefault("1s")
    Duration reconnectInitialBackoff();

    /** The longest wait between two reconnection attempts. Default 1m. */
    @WithDefault("1m")
    Duration reconnectMaxBackoff();

    /** One server. */
    interface Server {

        /** The streamable HTTP endpoint, e.g. {@code https://mcp.example.com/mcp}. Required. */
        String url();

        /** Headers sent with every request, by name. Default: none. */
        Map<String, String> headers();

        /**
         * The environment variable holding a bearer token, sent as {@code Authorization: Bearer …}. Default: none. The
         * variable must be set and not blank, or the start-up fails.
         */
        Optional<String> bearerTokenEnv();

        /** The server's tools (by the server's own names) the model may call. Default: all of them. */
        Optional<List<String>> allowedTools();

        /** How long one call of one of its tools may run before it is reported as timed out. */
        @WithDefault("30s")
        Duration callTimeout();

        /** Whether readiness is DOWN while this server is down. Default {@code false}. */
        @WithDefault("false")
        boolean required();
    }
}
