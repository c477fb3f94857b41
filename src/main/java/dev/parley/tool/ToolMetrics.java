package dev.parley.tool;

import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * {@code parley.tool.calls} by {@code tool} and {@code outcome}, and {@code parley.tool.duration} by {@code tool}: built
 * once at start-up for the registered tools, so tags come from a closed set (a name the model made up is counted as
 * {@code unknown}).
 */
final class ToolMetrics {

    /** The {@code tool} tag of calls to a tool that does not exist; no tool may be called so. */
    static final String UNKNOWN_TOOL = "unknown";

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

    private final Map<String, Map<Outcome, Counter>> callsByTool = new HashMap<>();
    private final Map<String, Timer> durationByTool = new HashMap<>();

    ToolMetrics(MeterRegistry registry, Collection<String> toolNames) {
        for (String tool : toolNames) {
            Map<Outcome, Counter> calls = new EnumMap<>(Outcome.class);
            for (Outcome outcome : Outcome.values()) {
                if (outcome != Outcome.UNKNOWN_TOOL) {
                    calls.put(outcome, calls(registry, tool, outcome));
                }
            }
            callsByTool.put(tool, calls);
            durationByTool.put(tool, Timer.builder("parley.tool.duration")
                    .description("Time tool calls ran, from the call to the result, timeouts included")
                    .tag("tool", tool).register(registry));
        }
        callsByTool.put(UNKNOWN_TOOL,
                Map.of(Outcome.UNKNOWN_TOOL, calls(registry, UNKNOWN_TOOL, Outcome.UNKNOWN_TOOL)));
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
