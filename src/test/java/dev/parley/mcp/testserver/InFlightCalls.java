package dev.parley.mcp.testserver;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The tool calls that are running, so that a cancelled call can stop: either by {@code notifications/cancelled}
 * naming it, or by its client closing the connection its answer was to come on. The SDK's server has no handler for
 * that notification (it logs "No handler registered" and carries on) and a tool handler does not learn its own
 * JSON-RPC id, so this filter reads each MCP message before the SDK does: a {@code tools/call} opens a {@link Call}
 * under its session and id, which {@link #context} hands on to the tool handler through the SDK's transport context;
 * a cancellation naming it completes it.
 */
final class InFlightCalls implements Filter {

    private static final String CALL = "parley.test.call";
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ScheduledExecutorService HEARTBEATS = Executors.newSingleThreadScheduledExecutor(work -> {
        Thread thread = new Thread(work, "mcp-test-server-heartbeats");
        thread.setDaemon(true);
        return thread;
    });

    private final Map<String, Call> calls = new ConcurrentHashMap<>();

    /** One running call, and the SSE response its answer is to go on. */
    static final class Call {

        private final Sinks.Empty<Void> cancelled = Sinks.empty();
        private final ServletResponse response;
        /** Guarded by this: the heartbeat, and whether the answer may be written (no heartbeat may then). */
        private ScheduledFuture<?> heartbeat;
        private boolean answering;

        private Call(ServletResponse response) {
            this.response = response;
        }

        private void cancel() {
            cancelled.tryEmitEmpty();
        }

        private synchronized void startHeartbeat() {
            if (!answering) {
                heartbeat = HEARTBEATS.scheduleAtFixedRate(this::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }

        /**
         * An SSE comment, which clients skip: the SDK's servlet writes nothing while a tool runs, so without a write
         * neither Jetty nor we would learn that the client closed the connection (and Jetty's idle timeout would cut
         * a call longer than 30 s). A write to a closed connection fails, at the latest the second one.
         */
        private synchronized void beat() {
            if (answering) {
                return;
            }
            try {
                PrintWriter writer = response.getWriter();
                writer.write(": working\n\n");
                writer.flush();
                if (writer.checkError()) {
                    cancel();
                }
            } catch (IOException | IllegalStateException e) {
                cancel();
            }
        }

        /** Before the SDK writes the answer: no heartbeat interleaves with it from here on. */
        private synchronized void stopHeartbeat() {
            answering = true;
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
        }
    }

    /**
     * {@code work}, unless the call the exchange belongs to is cancelled first: then {@code whenCancelled}. While
     * {@code work} runs, heartbeats on the response notice a client that went away. A call this filter did not read
     * runs {@code work} only.
     */
    static Mono<CallToolResult> unlessCancelled(McpAsyncServerExchange exchange, Mono<CallToolResult> work,
            Supplier<CallToolResult> whenCancelled) {
        if (!(exchange.transportContext().get(CALL) instanceof Call call)) {
            return work;
        }
        return work.takeUntilOther(call.cancelled.asMono())
                .switchIfEmpty(Mono.fromSupplier(whenCancelled))
                .doOnSubscribe(subscription -> call.startHeartbeat())
                // doOnNext runs before the answer goes downstream to the SDK, which then writes it.
                .doOnNext(answer -> call.stopHeartbeat())
                .doFinally(signal -> call.stopHeartbeat());
    }

    /** The SDK's transport context of a request: for a tool call, its {@link Call}. */
    static McpTransportContext context(HttpServletRequest request) {
        return request.getAttribute(CALL) instanceof Call call
                ? McpTransportContext.create(Map.of(CALL, call))
                : McpTransportContext.EMPTY;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        if (!"POST".equals(http.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = request.getInputStream().readAllBytes();
        JsonNode message = parse(body);
        String method = message.path("method").asText();
        String session = http.getHeader("Mcp-Session-Id");
        if ("notifications/cancelled".equals(method)) {
            Call call = calls.get(key(session, message.path("params").path("requestId")));
            if (call != null) {
                call.cancel();
            }
        }
        if (!"tools/call".equals(method) || !message.hasNonNull("id")) {
            chain.doFilter(new ReadAgain(http, body), response);
            return;
        }
        String key = key(session, message.get("id"));
        Call call = new Call(response);
        calls.put(key, call);
        request.setAttribute(CALL, call);
        try {
            // The SDK's servlet blocks this thread until the call's answer is written: the call is over after this.
            chain.doFilter(new ReadAgain(http, body), response);
        } finally {
            calls.remove(key, call);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            // Not JSON: the SDK answers that itself.
            return JSON.missingNode();
        }
    }

    /** A call's key: its session and its id as JSON text (7 and "7" are different ids). */
    private static String key(String sessionId, JsonNode requestId) {
        return sessionId + " " + requestId;
    }

    /** The request with its body, already read here, to read once more. */
    private static final class ReadAgain extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadAgain(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream bytes = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return bytes.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return bytes.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return bytes.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body was read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
