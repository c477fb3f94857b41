package dev.parley.tool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.arc.ClientProxy;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

import dev.parley.mcp.McpCallException;
import dev.parley.mcp.McpServers;
import dev.parley.mcp.McpTool;
import dev.parley.tool.ToolMetrics.Outcome;

/**
 * The tools the model may call, from two sources: every {@link Tool} bean, discovered at start-up, with its input
 * schema generated once; and the tools the configured MCP servers list now ({@link McpServers}), offered as
 * {@code <server>__<tool>} with the server's own schema, which come and go while parley runs. Their invocation is the
 * same for both: input validation, timeouts, a result size cap, bounded parallelism, error results and metrics.
 * <p>
 * The start-up fails, naming the tool, on a duplicate name, a name that is not snake_case (or holds {@code __}, which
 * marks MCP tools), a blank description, an input type that is not a record or whose schema cannot be generated, and
 * on a configured timeout for a tool that does not exist.
 */
@Startup // a broken tool fails the boot, not the first chat that offers it
@ApplicationScoped
public class ToolRegistry {

    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    /** Appended to a result cut at {@code parley.tools.max-result-chars}. */
    static final String TRUNCATION_MARKER = "\n[truncated by parley: %d of %d characters not shown]";
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    private static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    private static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("parley.tool.outcome");

    private final Map<String, Registered<?>> toolsByName;
    private final Set<String> names;
    private final int maxResultChars;
    private final int maxParallel;
    private final ObjectMapper mapper;
    private final ToolMetrics metrics;
    private final ExecutorService blockingCalls;
    private final Tracer tracer;
    private final Optional<McpServers> mcp;

    @Inject
    ToolRegistry(@Any Instance<Tool<?>> tools, ToolsConfig config, ObjectMapper mapper, MeterRegistry meters,
            Tracer tracer, McpServers mcp) {
        this(tools.stream().toList(), config, mapper, meters, tracer, Optional.of(mcp));
    }

    /** Without tracing, and without MCP servers. */
    ToolRegistry(List<? extends Tool<?>> tools, ToolsConfig config, ObjectMapper mapper, MeterRegistry meters) {
        this(tools, config, mapper, meters, OpenTelemetry.noop().getTracer("parley"), Optional.empty());
    }

    private ToolRegistry(List<? extends Tool<?>> tools, ToolsConfig config, ObjectMapper mapper, MeterRegistry meters,
            Tracer tracer, Optional<McpServers> mcp) {
        this.tracer = tracer;
        this.mcp = mcp;
        checkLimits(config);
        this.toolsByName = Collections.unmodifiableMap(register(tools, config));
        this.names = Collections.unmodifiableSet(new LinkedHashSet<>(toolsByName.keySet()));
        this.maxResultChars = config.maxResultChars();
        this.maxParallel = config.maxParallel();
        this.mapper = mapper;
        this.metrics = new ToolMetrics(meters, names);
        // Blocking tools get a virtual thread each: cheap to start, and interruptible when a call is cancelled.
        this.blockingCalls = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("parley-tool-", 0).factory());
        Log.infof("Tools: %s", names.isEmpty() ? "none" : String.join(", ", names));
    }

    /** The name, description and input schema of a tool, for the model; empty when there is no such tool. */
    public Optional<ToolSpec> spec(String name) {
        return Optional.ofNullable(name == null ? null : toolsByName.get(name)).map(Registered::spec);
    }

    /** The specs of all tools, in name order (a stable order keeps the prompt cacheable). */
    public List<ToolSpec> specs() {
        return toolsByName.values().stream().map(Registered::spec).toList();
    }

    /** The names of all tools of CDI beans, in alphabetical order. */
    public Set<String> names() {
        return names;
    }

    /** The configured MCP servers, in name order. */
    public Set<String> mcpServers() {
        return mcp.map(McpServers::names).orElse(Set.of());
    }

    /**
     * What a turn offers the model: the named tools of CDI beans in the order given, then the tools each MCP server
     * lists now (each server's in name order). Computed per turn, so a server's changed list changes the next turn's
     * tools (and with them the prompt's prefix).
     *
     * @throws IllegalArgumentException when a name is not a tool or a server is not configured
     */
    public List<ToolSpec> offered(List<String> toolNames, List<String> servers) {
        List<ToolSpec> specs = new ArrayList<>();
        for (String name : toolNames) {
            specs.add(spec(name).orElseThrow(() -> new IllegalArgumentException("no tool named '" + name + "'")));
        }
        for (String server : servers) {
            if (!mcpServers().contains(server)) {
                throw new IllegalArgumentException("no MCP server named '" + server + "'");
            }
            for (McpTool tool : mcp.get().tools(server)) {
                specs.add(new ToolSpec(tool.offeredName(), tool.description(), tool.inputSchema().deepCopy()));
            }
        }
        return specs;
    }

    /**
     * Runs the calls in parallel (at most {@code parley.tools.max-parallel} at once), emitting each result as it
     * completes, so not necessarily in the order of the calls: match results to calls by id. Never fails: an unknown
     * tool, invalid input, a timeout, a {@link ToolException} and any other failure each become an {@code isError}
     * result with a message safe to show. Cancelling the subscription cancels the running calls and interrupts the
     * threads of blocking ones. Results may be emitted on any thread (a blocking tool's result on its virtual thread).
     * Each call has a span ({@code execute_tool {name}}), a child of the span current at subscription.
     */
    public Multi<ToolResult> invokeAll(List<ToolCall> calls) {
        return Multi.createFrom().deferred(() -> {
            // Captured now: a call that waits for a free slot starts later, on the thread of the call before it.
            Context parent = Context.current();
            return Multi.createFrom().iterable(List.copyOf(calls))
                    .onItem().transformToUni(call -> traced(call, parent)).merge(maxParallel);
        });
    }

    /** Runs one call with the same rules as {@link #invokeAll}: never fails, cancellable. */
    public Uni<ToolResult> invoke(ToolCall call) {
        return Uni.createFrom().deferred(() -> traced(call, Context.current()));
    }

    /** A call in its span, which ends exactly once: with the result (ok or error), or on cancellation. */
    private Uni<ToolResult> traced(ToolCall call, Context parent) {
        return Uni.createFrom().deferred(() -> {
            // A model may call any name; only registered and listed ones name spans, as with the metrics.
            String name = toolsByName.containsKey(call.name()) || mcpTool(call.name()).isPresent()
                    ? call.name()
                    : ToolMetrics.UNKNOWN_TOOL;
            Span span = tracer.spanBuilder("execute_tool " + name).setParent(parent).setSpanKind(SpanKind.INTERNAL)
                    .setAttribute(OPERATION, "execute_tool").setAttribute(TOOL_NAME, name)
                    .setAttribute(TOOL_CALL_ID, call.id()).startSpan();
            return untraced(call)
                    .onItem().invoke(result -> {
                        span.setAttribute(OUTCOME, result.isError() ? "error" : "ok");
                        if (result.isError()) {
                            span.setStatus(StatusCode.ERROR);
                        }
                        span.end();
                    })
                    .onCancellation().invoke(() -> {
                        span.setAttribute(OUTCOME, "cancelled");
                        span.end();
                    });
        });
    }

    private Uni<ToolResult> untraced(ToolCall call) {
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            Registered<?> registered = toolsByName.get(call.name());
            if (registered == null) {
                Optional<McpTool> listed = mcpTool(call.name());
                if (listed.isPresent()) {
                    return runMcp(listed.get(), call, started);
                }
                metrics.unknownTool();
                return Uni.createFrom().item(error(call, "Unknown tool '" + InputValidator.shown(call.name()) + "'",
                        started));
            }
            return run(registered, call, started);
        }).onFailure().recoverWithItem(failure -> {
            // Only a bug in parley gets here: every failure of a tool is already a result.
            Log.errorf(failure, "Tool call %s of '%s' failed inside parley", call.id(), call.name());
            return new ToolResult(call.id(), call.name(), true, "Tool call failed with an internal error",
                    Duration.ZERO);
        });
    }

    @PreDestroy
    void close() {
        blockingCalls.shutdownNow();
    }

    private Optional<McpTool> mcpTool(String name) {
        return mcp.flatMap(servers -> servers.tool(name));
    }

    /**
     * A call of an MCP server's tool: checked against the server's schema (only what {@link InputValidator} reads; a
     * keyword it does not know never rejects an input), then sent, with the server's call timeout. A tool error
     * ({@code isError}), a JSON-RPC error and a server that is down are error results with the server's words or ours.
     */
    private Uni<ToolResult> runMcp(McpTool tool, ToolCall call, long started) {
        String tag = metrics.listed(call.name());
        JsonNode input = inputOf(call);
        List<String> problems = InputValidator.problems(tool.inputSchema(), input);
        if (!problems.isEmpty()) {
            return Uni.createFrom().item(invalidInput(call, tag, InputValidator.describe(problems), started));
        }
        Duration timeout = mcp.get().callTimeout(tool.server());
        return mcp.get().call(tool, input)
                .onItem().transformToUni(reply -> reply.isError()
                        ? Uni.createFrom().<String>failure(new ToolException(reply.text().isBlank()
                                ? "Tool '" + call.name() + "' reported an error"
                                : reply.text()))
                        : Uni.createFrom().item(reply.text()))
                .onFailure(McpCallException.class).transform(failure -> new ToolException(failure.getMessage()))
                .ifNoItem().after(timeout).failWith(TimedOut::new)
                .onItemOrFailure().transform((text, failure) -> finished(timeout, call, tag, started, text, failure))
                .onCancellation().invoke(() -> metrics.ran(tag, Outcome.CANCELLED, since(started)));
    }

    private JsonNode inputOf(ToolCall call) {
        return call.input() == null || call.input().isMissingNode() ? mapper.createObjectNode() : call.input();
    }

    private <I> Uni<ToolResult> run(Registered<I> registered, ToolCall call, long started) {
        Tool<I> tool = registered.tool();
        JsonNode input = inputOf(call);
        List<String> problems = InputValidator.problems(registered.schema(), input);
        if (!problems.isEmpty()) {
            return Uni.createFrom().item(invalidInput(call, call.name(), InputValidator.describe(problems), started));
        }
        I value;
        try {
            value = mapper.treeToValue(input, tool.inputType());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Uni.createFrom().item(invalidInput(call, call.name(), conversionProblem(e), started));
        }
        Uni<String> execution = tool.blocking()
                ? onVirtualThread(tool, value)
                : Uni.createFrom().deferred(() -> tool.invoke(value));
        return execution
                .ifNoItem().after(registered.timeout()).failWith(TimedOut::new)
                .onItemOrFailure()
                .transform((text, failure) -> finished(registered.timeout(), call, call.name(), started,
                        text, failure))
                .onCancellation().invoke(() -> metrics.ran(call.name(), Outcome.CANCELLED, since(started)));
    }

    /**
     * Calls a blocking tool on a virtual thread of its own; cancelling the returned {@code Uni} (a timeout, the chat
     * going away) interrupts that thread.
     */
    private <I> Uni<String> onVirtualThread(Tool<I> tool, I input) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<String> result = new CompletableFuture<>();
            AtomicReference<Cancellable> subscription = new AtomicReference<>();
            Future<?> thread = blockingCalls.submit(() -> {
                try {
                    subscription.set(tool.invoke(input).subscribe().with(result::complete,
                            result::completeExceptionally));
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
            return Uni.createFrom().completionStage(result).onCancellation().invoke(() -> {
                thread.cancel(true);
                Cancellable running = subscription.get();
                if (running != null) {
                    running.cancel();
                }
            });
        });
    }

    /** A call's result; {@code tag} is its {@code tool} tag in the metrics. */
    private ToolResult finished(Duration timeout, ToolCall call, String tag, long started, String text,
            Throwable failure) {
        Duration took = since(started);
        String name = call.name();
        if (failure == null) {
            metrics.ran(tag, Outcome.OK, took);
            return new ToolResult(call.id(), name, false, capped(text == null ? "" : text), took);
        }
        if (failure instanceof TimedOut) {
            metrics.ran(tag, Outcome.TIMEOUT, took);
            Log.warnf("Tool call %s of '%s' timed out after %s and was cancelled", call.id(), name, human(timeout));
            return new ToolResult(call.id(), name, true, "Tool '" + name + "' timed out after " + human(timeout),
                    took);
        }
        metrics.ran(tag, Outcome.ERROR, took);
        if (failure instanceof ToolException expected && expected.getMessage() != null
                && !expected.getMessage().isBlank()) {
            Log.debugf("Tool call %s of '%s' failed: %s", call.id(), name, expected.getMessage());
            return new ToolResult(call.id(), name, true, capped(expected.getMessage()), took);
        }
        // The input is not logged: it may hold whatever the user told the model.
        Log.errorf(failure, "Tool call %s of '%s' failed unexpectedly", call.id(), name);
        return new ToolResult(call.id(), name, true, "Tool '" + name + "' failed with an internal error", took);
    }

    private ToolResult invalidInput(ToolCall call, String tag, String problem, long started) {
        metrics.invalidInput(tag);
        return error(call, "Invalid input for " + call.name() + ": " + problem, started);
    }

    private static ToolResult error(ToolCall call, String message, long started) {
        return new ToolResult(call.id(), call.name(), true, message, since(started));
    }

    /** What Jackson could not read, in words: a record constructor's own message, or where the value was wrong. */
    private static String conversionProblem(Exception failure) {
        if (failure instanceof ValueInstantiationException) {
            for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof IllegalArgumentException rejected && rejected.getMessage() != null) {
                    return rejected.getMessage();
                }
            }
        }
        if (failure instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference step : mapping.getPath()) {
                if (step.getFieldName() != null) {
                    path.append(path.isEmpty() ? "" : ".").append(InputValidator.shown(step.getFieldName()));
                } else if (step.getIndex() >= 0) {
                    path.append('[').append(step.getIndex()).append(']');
                }
            }
            return "invalid value for property '" + path + "'";
        }
        return "the input does not fit the tool's input type";
    }

    private String capped(String text) {
        if (text.length() <= maxResultChars) {
            return text;
        }
        int kept = Character.isHighSurrogate(text.charAt(maxResultChars - 1)) ? maxResultChars - 1 : maxResultChars;
        return text.substring(0, kept) + TRUNCATION_MARKER.formatted(text.length() - kept, text.length());
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** {@code 10s}, {@code 1500ms}: how a timeout is written in configuration. */
    static String human(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static void checkLimits(ToolsConfig config) {
        if (config.maxParallel() < 1) {
            throw new IllegalStateException(
                    "parley.tools.max-parallel must be at least 1, was " + config.maxParallel());
        }
        if (config.maxResultChars() < 1) {
            throw new IllegalStateException("parley.tools.max-result-chars must be at least 1, was "
                    + config.maxResultChars());
        }
        positive("parley.tools.default-timeout", config.defaultTimeout());
        config.timeouts().forEach((name, timeout) -> positive("parley.tools.timeouts." + name, timeout));
    }

    private static void positive(String key, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalStateException(key + " must be a positive duration, was " + timeout);
        }
    }

    private static Map<String, Registered<?>> register(List<? extends Tool<?>> tools, ToolsConfig config) {
        InputSchemas schemas = new InputSchemas();
        Map<String, Registered<?>> byName = new TreeMap<>();
        Map<String, String> classByName = new TreeMap<>();
        for (Tool<?> tool : tools) {
            String type = ClientProxy.unwrap(tool).getClass().getName();
            String name = tool.name();
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalStateException("Tool " + type + " has the invalid name '" + name
                        + "': a tool name must be snake_case, matching " + NAME.pattern());
            }
            if (name.contains("__")) {
                throw new IllegalStateException("Tool " + type + " is named '" + name
                        + "': '__' is kept for the tools of MCP servers (<server>__<tool>)");
            }
            if (name.equals(ToolMetrics.UNKNOWN_TOOL)) {
                throw new IllegalStateException("Tool " + type + " is named '" + name
                        + "', which is reserved for calls to tools that do not exist");
            }
            String previous = classByName.putIfAbsent(name, type);
            if (previous != null) {
                throw new IllegalStateException("Two tools are named '" + name + "': " + previous + " and " + type
                        + "; a tool name must be unique");
            }
            if (tool.description() == null || tool.description().isBlank()) {
                throw new IllegalStateException("Tool '" + name + "' (" + type + ") has no description;"
                        + " the model needs one to know when to call it");
            }
            JsonNode schema;
            try {
                schema = schemas.schemaOf(tool.inputType());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Tool '" + name + "' (" + type + "): " + e.getMessage(), e);
            }
            byName.put(name, registered(tool, schema, config.timeouts().getOrDefault(name, config.defaultTimeout())));
        }
        List<String> strays = new ArrayList<>(config.timeouts().keySet());
        strays.removeAll(byName.keySet());
        if (!strays.isEmpty()) {
            throw new IllegalStateException("parley.tools.timeouts." + strays.getFirst() + ": there is no tool named '"
                    + strays.getFirst() + "' (tools: " + String.join(", ", byName.keySet()) + ")");
        }
        return byName;
    }

    private static <I> Registered<I> registered(Tool<I> tool, JsonNode schema, Duration timeout) {
        return new Registered<>(tool, schema, timeout);
    }

    /** A discovered tool with what was worked out about it at start-up. */
    private record Registered<I>(Tool<I> tool, JsonNode schema, Duration timeout) {

        /** A fresh copy each time: a caller that edits its schema must not change what others are given. */
        ToolSpec spec() {
            return new ToolSpec(tool.name(), tool.description(), schema.deepCopy());
        }
    }

    /** Marks the registry's own timeout, so that a tool's own timeout exception stays a tool failure. */
    private static final class TimedOut extends RuntimeException {
        TimedOut() {
            super("tool call timed out", null, false, false);
        }
    }
}
