package dev.parley.mcp;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import dev.parley.mcp.McpServerStatus.State;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One configured MCP server: its client, its state and the tools it offers now. It connects (initializes a session and
 * lists the tools) in the background, lists again on {@code notifications/tools/list_changed}, pings while it is up,
 * and after any failure that says the server is gone (a ping, a connection, a call that could not reach it) drops the
 * client and connects afresh with a backoff that doubles up to {@code parley.mcp.reconnect-max-backoff}. A server that
 * is down keeps its last list, so what the model is offered does not flicker; its calls fail at once with a message
 * naming the server.
 * <p>
 * Threads: every transition of the state runs on {@code loop}, the one thread of the MCP servers (callbacks of the SDK,
 * which arrive on Reactor's and the HTTP client's threads, hop there first); a callback of a client that was since
 * replaced is ignored, by its generation. Calls read the {@link Snapshot}, which is replaced whole.
 */
final class McpConnection {

    private static final String CLIENT_NAME = "parley";
    private static final int MAX_REASON_LENGTH = 120;

    private final String name;
    private final McpConfig.Server config;
    private final McpConfig limits;
    private final ScheduledExecutorService loop;
    private final ObjectMapper mapper;
    private final Optional<String> bearerToken;

    /** Written on {@code loop} only; read anywhere. */
    private volatile Snapshot snapshot;

    // ---- the loop's own
    private long generation;
    private McpAsyncClient client;
    private CancellableCalls transport;
    private ScheduledFuture<?> timer;
    private Duration backoff;
    private boolean closed;

    /** The state and tools of the server now; {@code client} is set exactly while it is up. */
    record Snapshot(State state, Map<String, McpTool> tools, Optional<String> reason, long generation,
            McpAsyncClient client, CancellableCalls transport) {
    }

    McpConnection(String name, McpConfig.Server config, McpConfig limits, Optional<String> bearerToken,
            ScheduledExecutorService loop, ObjectMapper mapper) {
        this.name = name;
        this.config = config;
        this.limits = limits;
        this.bearerToken = bearerToken;
        this.loop = loop;
        this.mapper = mapper;
        this.backoff = limits.reconnectInitialBackoff();
        this.snapshot = new Snapshot(State.CONNECTING, Map.of(), Optional.empty(), 0, null, null);
    }

    String name() {
        return name;
    }

    boolean required() {
        return config.required();
    }

    Duration callTimeout() {
        return config.callTimeout();
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Starts connecting, in the background: the start-up never waits for a server. */
    void start() {
        loop.execute(this::connect);
    }

    /** Drops the client and stops reconnecting; for the shutdown. */
    void close() {
        loop.execute(() -> {
            closed = true;
            cancelTimer();
            dropClient();
        });
    }

    /**
     * Calls a tool of this server with the input as the model wrote it (already validated against the tool's schema).
     * Fails with {@link McpCallException} when the server is down, cannot be reached or answers a JSON-RPC error.
     * Cancelling the {@code Uni} (the chat went away, the call timed out) stops waiting for the answer and sends the
     * server {@code notifications/cancelled} for the request.
     */
    Uni<McpReply> call(String tool, JsonNode input) {
        return Uni.createFrom().deferred(() -> {
            Snapshot now = snapshot;
            if (now.client() == null) {
                return Uni.createFrom().failure(new McpCallException("MCP server '" + name + "' is unavailable ("
                        + now.reason().orElse("not connected yet") + "); try again later"));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> arguments = mapper.convertValue(input, Map.class);
            AtomicReference<Object> requestId = new AtomicReference<>();
            Mono<McpSchema.CallToolResult> call = now.client()
                    .callTool(new McpSchema.CallToolRequest(tool, arguments, null))
                    .contextWrite(context -> context.put(CancellableCalls.REQUEST_ID, requestId));
            return fromMono(call)
                    .onCancellation().invoke(() -> cancelOnServer(now, tool, requestId.get()))
                    .onItem().transform(this::reply)
                    .onFailure().transform(failure -> callFailed(now.generation(), failure));
        });
    }

    private void cancelOnServer(Snapshot of, String tool, Object requestId) {
        if (requestId == null) {
            return; // not sent yet: nothing runs on the server
        }
        of.transport().cancel(requestId, "the call timed out or its chat went away", of.client()).subscribe(
                sent -> {
                }, failure -> Log.debugf("cancelling call %s of '%s' on MCP server '%s' failed: %s", requestId, tool,
                        name, reason(failure)));
    }

    // ---- the loop

    private void connect() {
        if (closed) {
            return;
        }
        timer = null;
        long current = ++generation;
        McpAsyncClient fresh;
        try {
            transport = new CancellableCalls(newTransport());
            fresh = newClient(current, transport);
        } catch (RuntimeException e) {
            failed(current, e);
            return;
        }
        client = fresh;
        fresh.initialize().then(fresh.listTools()).timeout(limits.connectTimeout()).subscribe(
                listed -> loop.execute(() -> connected(current, listed.tools())),
                failure -> loop.execute(() -> failed(current, failure)));
    }

    private void connected(long of, List<McpSchema.Tool> tools) {
        if (of != generation || closed) {
            return;
        }
        backoff = limits.reconnectInitialBackoff();
        Map<String, McpTool> offered = offered(tools);
        snapshot = new Snapshot(State.UP, offered, Optional.empty(), of, client, transport);
        Log.infof("MCP server '%s' is up: %s (%s)", name, count(offered), String.join(", ", offered.keySet()));
        schedulePing(of);
    }

    /** {@code notifications/tools/list_changed}: the SDK listed the tools again. */
    private void listed(long of, List<McpSchema.Tool> tools) {
        Snapshot now = snapshot;
        if (of != generation || closed || now.state() != State.UP) {
            return;
        }
        Map<String, McpTool> offered = offered(tools);
        if (offered.equals(now.tools())) {
            return; // another server's change, or one that leaves what the model is offered as it was
        }
        snapshot = new Snapshot(State.UP, offered, Optional.empty(), of, now.client(), now.transport());
        Log.infof("MCP server '%s' changed its tools: %s (%s)", name, count(offered),
                String.join(", ", offered.keySet()));
    }

    private void failed(long of, Throwable failure) {
        if (of != generation || closed) {
            return;
        }
        generation++; // late answers of the dropped client are ignored
        dropClient();
        String reason = reason(failure);
        Snapshot before = snapshot;
        snapshot = new Snapshot(State.DOWN, before.tools(), Optional.of(reason), generation, null, null);
        if (before.state() == State.DOWN && before.reason().equals(Optional.of(reason))) {
            // Still down for the same reason: said once, at warning level, when it went down.
            Log.debugf("MCP server '%s' is still unavailable: %s; connecting again in %s", name, reason,
                    human(backoff));
        } else {
            Log.warnf("MCP server '%s' is %s: %s; connecting again in %s", name,
                    before.state() == State.UP ? "down" : "unavailable", reason, human(backoff));
        }
        Log.debugf(failure, "MCP server '%s' failed", name);
        cancelTimer();
        timer = loop.schedule(this::connect, backoff.toMillis(), TimeUnit.MILLISECONDS);
        backoff = backoff.multipliedBy(2).compareTo(limits.reconnectMaxBackoff()) > 0
                ? limits.reconnectMaxBackoff()
                : backoff.multipliedBy(2);
    }

    private void schedulePing(long of) {
        cancelTimer();
        timer = loop.schedule(() -> ping(of), limits.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void ping(long of) {
        McpAsyncClient current = client;
        if (of != generation || closed || current == null) {
            return;
        }
        current.ping().map(answer -> true).defaultIfEmpty(true).timeout(limits.connectTimeout()).subscribe(
                answered -> loop.execute(() -> {
                    if (of == generation && !closed) {
                        schedulePing(of);
                    }
                }),
                failure -> loop.execute(() -> failed(of, failure)));
    }

    private void dropClient() {
        McpAsyncClient dropped = client;
        client = null;
        transport = null;
        if (dropped != null) {
            try {
                dropped.close();
            } catch (RuntimeException e) {
                Log.debugf(e, "closing the client of MCP server '%s' failed", name);
            }
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    // ---- the SDK

    private HttpClientStreamableHttpTransport newTransport() {
        URI url = URI.create(config.url());
        String base = url.getScheme() + "://" + url.getRawAuthority();
        String endpoint = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            endpoint += "?" + url.getRawQuery();
        }
        return HttpClientStreamableHttpTransport.builder(base)
                .endpoint(endpoint)
                .jsonMapper(new JacksonMcpJsonMapper(mapper))
                .clientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(limits.connectTimeout()))
                .httpRequestCustomizer((request, method, uri, body, context) -> {
                    config.headers().forEach(request::setHeader);
                    bearerToken.ifPresent(token -> request.setHeader("Authorization", "Bearer " + token));
                })
                .build();
    }

    private McpAsyncClient newClient(long of, McpClientTransport transport) {
        return McpClient.async(transport)
                .clientInfo(new McpSchema.Implementation(CLIENT_NAME, null, "1", null, null, null))
                // Parley's own timeout of a call comes first; this one only ends requests the server never answers.
                .requestTimeout(config.callTimeout().plus(limits.connectTimeout()))
                .initializationTimeout(limits.connectTimeout())
                .jsonSchemaValidator(new DefaultJsonSchemaValidator(mapper))
                .enableCallToolSchemaCaching(false)
                .toolsChangeConsumer(tools -> Mono.fromRunnable(() -> loop.execute(() -> listed(of, tools))))
                .build();
    }

    /** The allowed tools by the name the model sees, in name order (a stable order keeps the prompt cacheable). */
    private Map<String, McpTool> offered(List<McpSchema.Tool> tools) {
        Map<String, McpTool> offered = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        for (McpSchema.Tool tool : tools == null ? List.<McpSchema.Tool>of() : tools) {
            if (config.allowedTools().isPresent() && !config.allowedTools().get().contains(tool.name())) {
                continue;
            }
            JsonNode schema = mapper.valueToTree(tool.inputSchema());
            if (!schema.isObject() || !"object".equals(schema.path("type").asText())) {
                skipped.add(tool.name() + " (its input schema is not an object schema)");
                continue;
            }
            String offeredName = McpNames.offered(name, tool.name());
            McpTool previous = offered.putIfAbsent(offeredName, new McpTool(name, tool.name(), offeredName,
                    tool.description() == null ? "" : tool.description(), schema));
            if (previous != null) {
                skipped.add(
                        tool.name() + " (its offered name " + offeredName + " is taken by " + previous.name() + ")");
            }
        }
        if (!skipped.isEmpty()) {
            Log.warnf("MCP server '%s': not offering %s", name, String.join("; ", skipped));
        }
        return Collections.unmodifiableMap(offered);
    }

    private McpReply reply(McpSchema.CallToolResult result) {
        List<String> parts = new ArrayList<>();
        for (McpSchema.Content content : result.content()) {
            parts.add(switch (content) {
                case McpSchema.TextContent text -> text.text();
                case McpSchema.ImageContent image -> "[image " + image.mimeType() + " not shown]";
                case McpSchema.AudioContent audio -> "[audio " + audio.mimeType() + " not shown]";
                case McpSchema.EmbeddedResource embedded -> embedded
                        .resource() instanceof McpSchema.TextResourceContents text
                                ? text.text()
                                : "[resource " + embedded.resource().uri() + " not shown]";
                case McpSchema.ResourceLink link -> "[resource link " + link.uri() + "]";
                default -> "[content not shown]";
            });
        }
        if (parts.isEmpty() && result.structuredContent() != null) {
            parts.add(mapper.valueToTree(result.structuredContent()).toString());
        }
        return new McpReply(Boolean.TRUE.equals(result.isError()), String.join("\n", parts));
    }

    private Throwable callFailed(long of, Throwable failure) {
        if (failure instanceof McpError error && error.getJsonRpcError() != null) {
            var rpc = error.getJsonRpcError();
            return new McpCallException("MCP server '" + name + "' answered error " + rpc.code() + ": "
                    + shortened(rpc.message()));
        }
        // No answer at all: the server is gone (or its session is); connect afresh.
        loop.execute(() -> failed(of, failure));
        return new McpCallException("MCP server '" + name + "' is unavailable (" + reason(failure)
                + "); try again later");
    }

    /** A failure in a few words for health details, logs and the model: never an exception class or a stack trace. */
    static String reason(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof ClosedChannelException) {
                return "connection refused";
            }
            if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
                return "no answer in time";
            }
            if (cause instanceof McpHttpClientTransportAuthorizationException refused
                    && refused.getResponseInfo() != null) {
                return "not authorized (HTTP " + refused.getResponseInfo().statusCode()
                        + "): check its headers or bearer-token-env";
            }
            if (cause instanceof McpError error && error.getJsonRpcError() != null) {
                return "error " + error.getJsonRpcError().code() + ": " + shortened(error.getJsonRpcError().message());
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return "unreachable";
        }
        // The transport's messages append the whole response event; the status is what matters.
        int detail = message.indexOf(", response-event");
        return shortened(detail > 0 ? message.substring(0, detail) : message);
    }

    private static String shortened(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() > MAX_REASON_LENGTH ? line.substring(0, MAX_REASON_LENGTH) + "…" : line;
    }

    /** A Reactor {@code Mono} as a {@code Uni}: cancelling the {@code Uni} disposes the subscription. */
    static <T> Uni<T> fromMono(Mono<T> mono) {
        return Uni.createFrom().emitter(emitter -> {
            Disposable subscription = mono.subscribe(emitter::complete, emitter::fail,
                    () -> emitter.complete(null));
            emitter.onTermination(subscription::dispose);
        });
    }

    private static String count(Map<String, McpTool> tools) {
        return tools.size() == 1 ? "1 tool" : tools.size() + " tools";
    }

    private static String human(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
