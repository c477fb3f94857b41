package dev.parley.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ToolMetricsTest {

    @Test
    void mcpToolsGetMetersOfTheirOwnUpToABoundThenShareOne() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ToolMetrics metrics = new ToolMetrics(registry, List.of("calculate"));

        for (int i = 0; i < ToolMetrics.MAX_MCP_TOOLS; i++) {
            assertThat(metrics.listed("crm__tool_" + i)).isEqualTo("crm__tool_" + i);
        }
        assertThat(metrics.listed("crm__tool_0")).isEqualTo("crm__tool_0");
        String past = metrics.listed("crm__one_too_many");
        metrics.ran(past, ToolMetrics.Outcome.OK, Duration.ofMillis(5));

        assertThat(past).isEqualTo(ToolMetrics.OTHER_MCP_TOOL);
        assertThat(metrics.listed("crm__another")).isEqualTo(ToolMetrics.OTHER_MCP_TOOL);
        assertThat(registry.find("parley.tool.calls").tag("tool", "mcp__other").tag("outcome", "ok").counter()
                .count()).isEqualTo(1.0);
        // calculate, the bounded MCP tools and the one they share past the bound (unknown calls are not timed).
        assertThat(registry.find("parley.tool.duration").timers()).hasSize(ToolMetrics.MAX_MCP_TOOLS + 2);
    }
}
