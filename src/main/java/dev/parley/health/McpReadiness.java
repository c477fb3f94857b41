package dev.parley.health;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

import dev.parley.mcp.McpServerStatus;
import dev.parley.mcp.McpServers;

/**
 * Readiness check {@code mcp}: each configured MCP server's state as a datum named after it ({@code up (4 tools)},
 * {@code down: connection refused}, {@code connecting}). It asks no server anything (the connections keep their state
 * themselves), and it is DOWN only while a server configured {@code required} is not up: a tool server that is down
 * costs the model some tools (their calls are error results), not the replica its traffic.
 */
@Readiness
@ApplicationScoped
class McpReadiness implements AsyncHealthCheck {

    private final McpServers servers;

    McpReadiness(McpServers servers) {
        this.servers = servers;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Map<String, McpServerStatus> statuses = servers.statuses();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("mcp")
                .status(statuses.values().stream()
                        .allMatch(status -> !status.required() || status.state() == McpServerStatus.State.UP));
        statuses.forEach((name, status) -> response.withData(name, status.describe()));
        return Uni.createFrom().item(response.build());
    }
}
