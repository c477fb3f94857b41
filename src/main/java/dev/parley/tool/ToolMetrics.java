package dev.parley.tool;

import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * {@code parley.tool.calls} by {@code tool} and {@code outcome}, and {@code parley.tool.duration} by {@code tool}: built
 * once at start-up for the registered tools, so tags come from a closed set (a name the model made up is counted as
 * {@code unknown}). An MCP server's tool gets its meters on its first call, and only while a server lists it: the set
 * is the names the configured servers listed, bounded by {@link #MAX_MCP_TOOLS}; past that bound, calls of further
 * ones are counted under {@link #OTHER_MCP_TOOL}, so a server that renames its tools again and again cannot grow the
 * metrics without end.
 */
final class ToolMetrics {

    /** The {@code tool} tag of calls to a tool that does not exist; no tool may be called so. */
    static final String UNKNOWN_TOOL = "unknown";
    /** The {@code tool} tag of calls to MCP tools beyond the first {@link #MAX_MCP_TOOLS}. */
    static final String OTHER_MCP_TOOL = "mcp__other";
    static final int MAX_MCP_TOOLS = 200;

    /** How a call ended. */
    enum Outcome {
        OK,
        ERROR,
        INVALID_INPUT,
        TIMEOUT,
        UNKNOWN_TOOL,
        /** The caller cancelled {@code invokeAll} (the chat went away) while the tool ran. */
        CANCELLED,
        /** The call needed approval and was denied (or could not be asked for, by {@code POST /v1/chat}): not run. */
        DENIED,
        /** The call needed approval and nobody answered within {@code parley.tools.approval-timeout}: not run. */
        APPROVAL_TIMEOUT;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Map<Outcome, Counter>> callsByTool = new ConcurrentHashMap<>();
    private final Map<String, Timer> durationByTool = new ConcurrentHashMap<>();
    /** How many MCP tools have meters; guarded by {@code this}. */
    private int mcpTools;

    ToolMetrics(MeterRegistry registry, Collection<String> toolNames) {
        this.registry = registry;
        toolNames.forEach(this::register);
        callsByTool.put(UNKNOWN_TOOL,
                Map.of(Outcome.UNKNOWN_TOOL, calls(registry, UNKNOWN_TOOL, Outcome.UNKNOWN_TOOL)));
    }

    /** The {@code tool} tag of a call of an MCP tool its server lists now; its meters are made on its first call. */
    String listed(String offeredName) {
        if (callsByTool.containsKey(offeredName)) {
            return offeredName;
        }
        synchronized (this) {
            if (!callsByTool.containsKey(offeredName)) {
                if (mcpTools >= MAX_MCP_TOOLS) {
                    if (!callsByTool.containsKey(OTHER_MCP_TOOL)) {
                        register(OTHER_MCP_TOOL);
                    }
                    return OTHER_MCP_TOOL;
                }
                mcpTools++;
                register(offeredName);
            }
            return offeredName;
        }
    }

    private void register(String tool) {
        Map<Outcome, Counter> calls = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            if (outcome != Outcome.UNKNOWN_TOOL) {
                calls.put(outcome, calls(registry, tool, outcome));
            }
        }
        durationByTool.put(tool, Timer.builder("parley.tool.duration")
                .description("Time tool calls ran, from the call to the result, timeouts included")
                .tag("tool", tool).register(registry));
        callsByTool.put(tool, calls);
    }

    void unknownTool() {
        callsByTool.get(UNKNOWN_TOOL).get(Outcome.UNKNOWN_TOOL).increment();
    }

    void invalidInput(String tool) {
        callsByTool.get(tool).get(Outcome.INVALID_INPUT).increment();
    }

    /** A call that ran: counted by its outcome and timed. */
    void ran(String tool, Outcome outcome, Duration duration) {
        callsByTool.get(tool).get(outcome).increment();
        durationByTool.get(tool).record(duration);
    }

    /** The counter of a tool's calls with this outcome (the registry's own when it exists already). */
    static Counter calls(MeterRegistry registry, String tool, Outcome outcome) {
        return Counter.builder("parley.tool.calls").description("Tool calls the model asked for, by outcome")
                .tag("tool", tool).tag("outcome", outcome.tag()).register(registry);
    }
}
