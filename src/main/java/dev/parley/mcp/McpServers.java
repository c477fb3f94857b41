package dev.parley.mcp;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

/**
 * The configured MCP servers ({@code parley.mcp.servers.*}): what each offers now, its state, and the calls of its
 * tools. The configuration is checked at start-up (a bad name, URL or missing token fails it in one line); the servers
 * are connected in the background, so a server that is down never holds up or fails the start-up.
 */
@Startup
@ApplicationScoped
public class McpServers {

    private final Map<String, McpConnection> byName;
    private final ScheduledExecutorService loop;

    @Inject
    McpServers(McpConfig config) {
        this(config, name -> Optional.ofNullable(System.getenv(name)));
    }

    McpServers(McpConfig config, Function<String, Optional<String>> environment) {
        check(config);
        // The SDK's own mapper settings: a fresh mapper, not the application's (which may be customized for our API).
        ObjectMapper mapper = new ObjectMapper();
        this.loop = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("parley-mcp")
                .factory());
        Map<String, McpConnection> connections = new TreeMap<>();
        config.servers().forEach((name, server) -> connections.put(name, new McpConnection(name, server, config,
                bearerToken(name, server, environment), loop, mapper)));
        this.byName = Collections.unmodifiableMap(connections);
        if (!byName.isEmpty()) {
            Log.infof("MCP servers: %s", String.join(", ", byName.keySet()));
        }
    }

    @PostConstruct
    void start() {
        byName.values().forEach(McpConnection::start);
    }

    @PreDestroy
    void close() {
        byName.values().forEach(McpConnection::close);
        loop.shutdown();
    }

    /** The configured servers' names, in name order. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** The tools a server offers now, in name order; its last list while it is down; none for an unknown server. */
    public List<McpTool> tools(String server) {
        McpConnection connection = byName.get(server);
        return connection == null ? List.of() : List.copyOf(connection.snapshot().tools().values());
    }

    /** The tool offered under this name now, if any. */
    public Optional<McpTool> tool(String offeredName) {
        int separator = offeredName == null ? -1 : offeredName.indexOf(McpNames.SEPARATOR);
        if (separator < 1) {
            return Optional.empty();
        }
        McpConnection connection = byName.get(offeredName.substring(0, separator));
        return connection == null
                ? Optional.empty()
                : Optional.ofNullable(connection.snapshot().tools().get(offeredName));
    }

    /** How long a call of this server's tools may run. */
    public Duration callTimeout(String server) {
        return byName.get(server).callTimeout();
    }

    /** Each server's state, by name. */
    public Map<String, McpServerStatus> statuses() {
        Map<String, McpServerStatus> statuses = new TreeMap<>();
        byName.forEach((name, connection) -> {
            McpConnection.Snapshot now = connection.snapshot();
            statuses.put(name, new McpServerStatus(now.state(), now.tools().size(), now.reason(),
                    connection.required()));
        });
        return statuses;
    }

    /**
     * Calls the tool with input already checked against its schema. The reply may be a tool error ({@code isError});
     * the {@code Uni} fails with {@link McpCallException} when the server gave no result (down, unreachable, a
     * JSON-RPC error). Cancelling it stops waiting for the answer.
     */
    public Uni<McpReply> call(McpTool tool, JsonNode input) {
        return byName.get(tool.server()).call(tool.name(), input);
    }

    private static void check(McpConfig config) {
        positive("parley.mcp.ping-interval", config.pingInterval());
        positive("parley.mcp.connect-timeout", config.connectTimeout());
        positive("parley.mcp.reconnect-initial-backoff", config.reconnectInitialBackoff());
        positive("parley.mcp.reconnect-max-backoff", config.reconnectMaxBackoff());
        config.servers().forEach((name, server) -> {
            String key = "parley.mcp.servers." + name;
            if (!McpNames.SERVER.matcher(name).matches()) {
                throw new IllegalStateException(key + ": '" + name + "' is not a server name: it must match "
                        + McpNames.SERVER.pattern() + " (it prefixes the names of the server's tools)");
            }
            checkUrl(key + ".url", server.url());
            positive(key + ".call-timeout", server.callTimeout());
            server.allowedTools().ifPresent(allowed -> {
                if (allowed.isEmpty() || allowed.stream().anyMatch(String::isBlank)) {
                    throw new IllegalStateException(key + ".allowed-tools must name tools; leave it out to allow all");
                }
            });
        });
    }

    private static void checkUrl(String key, String url) {
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalStateException(key + " must be an http or https URL, was '" + url + "'");
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(key + " is not a URL: '" + url + "' (" + e.getReason() + ")");
        }
    }

    private static Optional<String> bearerToken(String name, McpConfig.Server server,
            Function<String, Optional<String>> environment) {
        if (server.bearerTokenEnv().isEmpty()) {
            return Optional.empty();
        }
        String variable = server.bearerTokenEnv().get();
        Optional<String> token = environment.apply(variable).filter(value -> !value.isBlank());
        if (token.isEmpty()) {
            throw new IllegalStateException("parley.mcp.servers." + name + ".bearer-token-env names " + variable
                    + ", which is not set: set it to the server's token, or remove the key");
        }
        return token;
    }

    private static void positive(String key, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalStateException(key + " must be a positive duration, was " + duration);
        }
    }
}
