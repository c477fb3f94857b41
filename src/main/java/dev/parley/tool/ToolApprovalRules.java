package dev.parley.tool;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;

import dev.parley.tool.ToolMetrics.Outcome;

/**
 * Which tool calls wait for the turn's caller to approve them ({@code parley.tools.needs-approval}), for how long
 * ({@code parley.tools.approval-timeout}), and the results the model is given for a call that was not run: denied,
 * not asked for (a one-shot turn has nobody to ask), or not answered in time. Each such call is counted in
 * {@code parley.tool.calls} with outcome {@code denied} or {@code approval_timeout}; the tag values stay a closed set,
 * as only configured names are counted so.
 */
@Startup // the names that are no tool are logged at boot, once
@ApplicationScoped
public class ToolApprovalRules {

    /** What the model is told of a call its user denied. */
    public static final String DENIED = "The user denied this tool call.";
    /** What the model is told of a call that needed approval in a turn that could not ask for it. */
    public static final String NOT_ASKED = "The user denied this tool call: it needs the user's approval, and this "
            + "request (POST /v1/chat) cannot ask for it.";

    private final Set<String> needsApproval;
    private final Duration timeout;
    private final MeterRegistry meters;

    ToolApprovalRules(ToolsConfig config, ToolRegistry registry, MeterRegistry meters) {
        this.needsApproval = Set.copyOf(config.needsApproval().orElse(Set.of()));
        this.timeout = config.approvalTimeout();
        this.meters = meters;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalStateException(
                    "parley.tools.approval-timeout must be a positive duration, was " + timeout);
        }
        Set<String> unknown = new TreeSet<>(needsApproval);
        unknown.removeAll(registry.names());
        if (!unknown.isEmpty()) {
            // Not refused: an MCP server's tools appear while parley runs, and a server may be down at start-up.
            Log.infof("parley.tools.needs-approval names what is not a tool now (an MCP tool yet to appear?): %s",
                    String.join(", ", unknown));
        }
        if (!needsApproval.isEmpty()) {
            Log.infof("Tools that need approval: %s", String.join(", ", new TreeSet<>(needsApproval)));
        }
    }

    /** Whether calls of this tool (by the name the model called) wait for approval. */
    public boolean needsApproval(String toolName) {
        return needsApproval.contains(toolName);
    }

    /** The calls among these that wait for approval, in their order. */
    public List<ToolCall> needingApproval(List<ToolCall> calls) {
        return calls.stream().filter(call -> needsApproval(call.name())).toList();
    }

    /** How long a round's calls wait for their approval, at most. */
    public Duration timeout() {
        return timeout;
    }

    /** The result of a call its user denied. */
    public ToolResult denied(ToolCall call) {
        return notRun(call, Outcome.DENIED, DENIED);
    }

    /** The result of a call that needed approval in a turn that has nobody to ask: treated as denied. */
    public ToolResult notAsked(ToolCall call) {
        return notRun(call, Outcome.DENIED, NOT_ASKED);
    }

    /** The result of a call nobody approved within the approval timeout (or the time the turn had left). */
    public ToolResult timedOut(ToolCall call, Duration waited) {
        return notRun(call, Outcome.APPROVAL_TIMEOUT,
                "No one approved this tool call within " + spoken(waited) + ".");
    }

    /** {@code 300 s}, {@code 1500 ms}: words for the model, which reads them. */
    private static String spoken(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private ToolResult notRun(ToolCall call, Outcome outcome, String message) {
        ToolMetrics.calls(meters, call.name(), outcome).increment();
        return new ToolResult(call.id(), call.name(), true, message, Duration.ZERO);
    }
}
