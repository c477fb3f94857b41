package dev.parley.mcp.testserver;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import io.modelcontextprotocol.spec.McpSchema.Tool;

import reactor.core.publisher.Mono;

/**
 * A real MCP server for tests, run as a process of its own ({@code dev.parley.harness.McpServerProcess} starts it):
 * the official MCP Java SDK's server behind its streamable HTTP servlet transport at {@code /mcp}, on Jetty, with the
 * tools {@code echo}, {@code add}, {@code slow} and {@code fail}, plus an admin API for the tests on the same port
 * (not MCP):
 * <ul>
 * <li>{@code POST /admin/tools/extra} adds the tool {@code extra} and {@code DELETE} removes it; either sends
 * {@code notifications/tools/list_changed} to every connected client;</li>
 * <li>{@code GET /admin/calls}: {@code {"echo": n, ...}}, the calls received per tool (every tool, 0 for none);
 * {@code DELETE /admin/calls} sets them to 0;</li>
 * <li>{@code GET /admin/cancellations}: {@code {"slow": n}}, the calls of {@code slow} that stopped sleeping because
 * they were cancelled;</li>
 * <li>{@code GET /admin/health}: 200.</li>
 * </ul>
 * Arguments: {@code --port N} (0, the default, picks a free one) and {@code --token T} (then {@code /mcp} answers 401
 * without {@code Authorization: Bearer T}; the admin API stays open, it is the test's own channel), and
 * {@code --parent-pid P} (it exits when that process does). The first line on
 * standard output is {@code MCP test server listening on port N}; everything else goes to standard error.
 */
public final class McpTestServer {

    private static final String LISTENING = "MCP test server listening on port ";
    private static final List<String> TOOLS = List.of("echo", "add", "slow", "fail", "extra");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final AtomicLong slowCancellations = new AtomicLong();
    private final McpAsyncServer mcp;

    private McpTestServer(HttpServletStreamableServerTransportProvider transport) {
        TOOLS.forEach(tool -> calls.put(tool, new AtomicLong()));
        mcp = McpServer.async(transport)
                .serverInfo("parley-mcp-test-server", "1")
                // listChanged: addTool and removeTool then notify every connected client themselves.
                .capabilities(ServerCapabilities.builder().tools(true).build())
                // The SDK checks each call's arguments against the tool's input schema before the handler runs.
                .validateToolInputs(true)
                .tools(echo(), add(), slow(), fail())
                .build();
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        String token = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--token" -> token = args[++i];
                // A test JVM that dies (a killed build, say) takes its server with it instead of leaving it on a port.
                case "--parent-pid" -> ProcessHandle.of(Long.parseLong(args[++i]))
                        .ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: McpTestServer [--port N] [--token T] [--parent-pid PID]");
            }
        }
        // The listening line must be the first one on standard output. The SDK's and Jetty's logs (SLF4J to JBoss
        // LogManager) go to standard error, where a failing test's log shows them: on the test classpath, Quarkus's
        // bootstrap gives the root logger a handler that holds every record until a Quarkus application starts, and
        // none does here.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new ConsoleHandler());
        root.setLevel(Level.INFO);

        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider
                .builder()
                .mcpEndpoint("/mcp")
                // A tool call's cancellation reaches its handler through the transport context (see InFlightCalls).
                .contextExtractor(InFlightCalls::context)
                .build();
        McpTestServer testServer = new McpTestServer(transport);

        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        // A restarted server binds the port its predecessor had, which may still have connections in TIME_WAIT.
        connector.setReuseAddress(true);
        jetty.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder mcpServlet = new ServletHolder("mcp", transport);
        // The transport answers every request with an SSE stream on an AsyncContext (its @WebServlet says so, but
        // embedded Jetty scans no annotations).
        mcpServlet.setAsyncSupported(true);
        context.addServlet(mcpServlet, "/mcp");
        context.addServlet(new ServletHolder("admin", testServer.new Admin()), "/admin/*");
        if (token != null) {
            FilterHolder bearer = new FilterHolder(new BearerToken(token));
            bearer.setAsyncSupported(true);
            context.addFilter(bearer, "/mcp", EnumSet.of(DispatcherType.REQUEST));
        }
        FilterHolder cancellations = new FilterHolder(new InFlightCalls());
        cancellations.setAsyncSupported(true);
        context.addFilter(cancellations, "/mcp", EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(context);
        jetty.setStopAtShutdown(true);
        jetty.start();

        stdout.println(LISTENING + connector.getLocalPort());
        stdout.flush();
        jetty.join();
    }

    private AsyncToolSpecification echo() {
        return tool(Tool.builder("echo", objectSchema(Map.of("text", Map.of("type", "string", "description",
                "The text to return"))))
                .description("Returns the text it is given, unchanged.")
                .build(), (exchange, request) -> Mono.just(text((String) request.arguments().get("text"))));
    }

    private AsyncToolSpecification add() {
        return tool(Tool.builder("add", objectSchema(Map.of(
                "a", Map.of("type", "integer", "description", "The first addend"),
                "b", Map.of("type", "integer", "description", "The second addend"))))
                .description("Adds two integers and returns the sum as text.")
                .build(), (exchange, request) -> {
                    long a = ((Number) request.arguments().get("a")).longValue();
                    long b = ((Number) request.arguments().get("b")).longValue();
                    return Mono.just(text(Long.toString(Math.addExact(a, b))));
                });
    }

    /**
     * Sleeps without holding a thread, then answers "done". A {@code notifications/cancelled} for the call, or its
     * client closing the connection, ends the sleep at once; the answer then is an error no one reads (the protocol
     * tells a client to drop any answer to a request it cancelled).
     */
    private AsyncToolSpecification slow() {
        return tool(Tool.builder("slow", objectSchema(Map.of("millis", Map.of("type", "integer", "minimum", 0,
                "maximum", 600_000, "description", "How long to sleep, in milliseconds"))))
                .description("Sleeps for the given number of milliseconds, then returns \"done\".")
                .build(), (exchange, request) -> {
                    Duration sleep = Duration.ofMillis(((Number) request.arguments().get("millis")).longValue());
                    return InFlightCalls.unlessCancelled(exchange, Mono.delay(sleep).map(done -> text("done")),
                            () -> {
                                slowCancellations.incrementAndGet();
                                return CallToolResult.builder().addTextContent("cancelled").isError(true).build();
                            });
                });
    }

    private AsyncToolSpecification fail() {
        return tool(Tool.builder("fail", objectSchema(Map.of()))
                .description("Always fails: returns a tool error with the text \"it failed\".")
                .build(),
                (exchange, request) -> Mono.just(
                        CallToolResult.builder().addTextContent("it failed").isError(true).build()));
    }

    private AsyncToolSpecification extra() {
        return tool(Tool.builder("extra", objectSchema(Map.of()))
                .description("Returns \"extra\"; exists only between POST and DELETE /admin/tools/extra.")
                .build(), (exchange, request) -> Mono.just(text("extra")));
    }

    /** Counts every call the tool receives, valid or not, before its handler runs. */
    private AsyncToolSpecification tool(Tool tool,
            BiFunction<McpAsyncServerExchange, CallToolRequest, Mono<CallToolResult>> handler) {
        return AsyncToolSpecification.builder()
                .tool(tool)
                .callHandler((exchange, request) -> {
                    calls.get(tool.name()).incrementAndGet();
                    return handler.apply(exchange, request);
                })
                .build();
    }

    /** An object schema whose properties are all required, and nothing else allowed (in name order: stable JSON). */
    private static Map<String, Object> objectSchema(Map<String, Object> properties) {
        Map<String, Object> sorted = new TreeMap<>(properties);
        return Map.of("type", "object", "properties", sorted, "required", List.copyOf(sorted.keySet()),
                "additionalProperties", false);
    }

    private static CallToolResult text(String text) {
        return CallToolResult.builder().addTextContent(text).isError(false).build();
    }

    /** The tests' control channel: plain HTTP and JSON, no MCP. */
    private final class Admin extends HttpServlet {

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            switch (String.valueOf(request.getPathInfo())) {
                case "/health" -> json(response, Map.of("status", "UP"));
                case "/calls" -> {
                    Map<String, Long> counts = new TreeMap<>();
                    calls.forEach((tool, count) -> counts.put(tool, count.get()));
                    json(response, counts);
                }
                case "/cancellations" -> json(response, Map.of("slow", slowCancellations.get()));
                default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if ("/tools/extra".equals(request.getPathInfo())) {
                mcp.addTool(extra()).block();
                json(response, Map.of("added", "extra"));
            } else {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        }

        @Override
        protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
            switch (String.valueOf(request.getPathInfo())) {
                case "/tools/extra" -> {
                    mcp.removeTool("extra").block();
                    json(response, Map.of("removed", "extra"));
                }
                case "/calls" -> {
                    calls.values().forEach(count -> count.set(0));
                    slowCancellations.set(0);
                    json(response, Map.of("reset", true));
                }
                default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        }

        private static void json(HttpServletResponse response, Object body) throws IOException {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType("application/json");
            response.getOutputStream().write(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code --token}: MCP requests without {@code Authorization: Bearer <token>} get 401. */
    private record BearerToken(String token) implements Filter {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            String authorization = ((HttpServletRequest) request).getHeader("Authorization");
            if (("Bearer " + token).equals(authorization)) {
                chain.doFilter(request, response);
            } else {
                HttpServletResponse http = (HttpServletResponse) response;
                http.setHeader("WWW-Authenticate", "Bearer");
                http.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            }
        }
    }
}
