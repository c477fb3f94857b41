package dev.parley.mcp.testserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;

import dev.parley.harness.McpServerProcess;

import reactor.core.Disposable;

/**
 * The MCP test server, as a process, through the official SDK's own client: what parley's tests can rely on, and how
 * the SDK's client is driven.
 */
class McpTestServerTest {

    private static McpServerProcess server;

    @BeforeAll
    static void start() {
        server = McpServerProcess.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void listsItsFourToolsWithDescriptionsAndInputSchemas() {
        try (McpSyncClient client = client(server, null, tools -> {
        })) {
            List<Tool> tools = client.listTools().tools();

            assertThat(tools).extracting(Tool::name).containsExactlyInAnyOrder("echo", "add", "slow", "fail");
            assertThat(tools).allSatisfy(tool -> assertThat(tool.description()).isNotBlank());
            Tool add = tools.stream().filter(tool -> tool.name().equals("add")).findFirst().orElseThrow();
            assertThat(add.inputSchema()).containsEntry("type", "object")
                    .containsEntry("required", List.of("a", "b"))
                    .containsEntry("additionalProperties", false);
            assertThat(add.inputSchema().get("properties")).asInstanceOf(InstanceOfAssertFactories.MAP)
                    .containsEntry("a", Map.of("type", "integer", "description", "The first addend"));
        }
    }

    @Test
    void echoesTextAndAddsIntegers() {
        try (McpSyncClient client = client(server, null, tools -> {
        })) {
            CallToolResult echo = client.callTool(new CallToolRequest("echo", Map.of("text", "hello, world")));
            CallToolResult add = client.callTool(new CallToolRequest("add", Map.of("a", 40, "b", 2)));

            assertThat(echo.isError()).isFalse();
            assertThat(text(echo)).isEqualTo("hello, world");
            assertThat(text(add)).isEqualTo("42");
        }
    }

    @Test
    void failAnswersWithAToolError() {
        try (McpSyncClient client = client(server, null, tools -> {
        })) {
            CallToolResult fail = client.callTool(new CallToolRequest("fail", Map.of()));

            assertThat(fail.isError()).isTrue();
            assertThat(text(fail)).isEqualTo("it failed");
        }
    }

    @Test
    void refusesArgumentsTheSchemaDoesNotAllow() {
        try (McpSyncClient client = client(server, null, tools -> {
        })) {
            CallToolResult wrongType = client.callTool(new CallToolRequest("add", Map.of("a", "forty", "b", 2)));
            CallToolResult missing = client.callTool(new CallToolRequest("echo", Map.of()));

            assertThat(wrongType.isError()).isTrue();
            assertThat(missing.isError()).isTrue();
        }
    }

    @Test
    void countsTheCallsEachToolReceived() {
        try (McpSyncClient client = client(server, null, tools -> {
        })) {
            long echoBefore = server.calls("echo");
            long slowBefore = server.calls("slow");

            client.callTool(new CallToolRequest("echo", Map.of("text", "one")));
            client.callTool(new CallToolRequest("echo", Map.of("text", "two")));
            CallToolResult slow = client.callTool(new CallToolRequest("slow", Map.of("millis", 50)));

            assertThat(text(slow)).isEqualTo("done");
            assertThat(server.calls("echo")).isEqualTo(echoBefore + 2);
            assertThat(server.calls("slow")).isEqualTo(slowBefore + 1);
            assertThat(server.calls()).containsOnlyKeys("echo", "add", "slow", "fail", "extra");
        }
    }

    @Test
    void addingAndRemovingExtraNotifiesConnectedClients() {
        List<List<Tool>> announced = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = client(server, null, announced::add)) {
            server.addExtraTool();

            // The SDK's client hears notifications/tools/list_changed on its GET stream and lists the tools again.
            await().atMost(Duration.ofSeconds(10)).until(() -> !announced.isEmpty());
            assertThat(announced.getLast()).extracting(Tool::name).contains("extra").hasSize(5);
            assertThat(client.listTools().tools()).hasSize(5);
            assertThat(text(client.callTool(new CallToolRequest("extra", Map.of())))).isEqualTo("extra");

            server.removeExtraTool();

            await().atMost(Duration.ofSeconds(10)).until(() -> announced.size() == 2);
            assertThat(announced.getLast()).extracting(Tool::name).doesNotContain("extra").hasSize(4);
        } finally {
            server.admin("DELETE", "/admin/tools/extra");
        }
    }

    @Test
    void restartsOnTheSamePortWithNoneOfItsSessions() {
        try (McpServerProcess restarted = McpServerProcess.start()) {
            int port = restarted.port();
            try (McpSyncClient client = client(restarted, null, tools -> {
            })) {
                client.callTool(new CallToolRequest("echo", Map.of("text", "before")));
            }

            restarted.restart();

            assertThat(restarted.port()).isEqualTo(port);
            assertThat(restarted.uri()).isEqualTo(URI.create("http://127.0.0.1:" + port + "/mcp"));
            assertThat(restarted.calls("echo")).isZero();
            try (McpSyncClient client = client(restarted, null, tools -> {
            })) {
                assertThat(text(client.callTool(new CallToolRequest("echo", Map.of("text", "after")))))
                        .isEqualTo("after");
            }
        }
    }

    @Test
    void asksForTheTokenItWasGiven() throws Exception {
        try (McpServerProcess guarded = McpServerProcess.start("s3cret")) {
            try (McpSyncClient client = client(guarded, "s3cret", tools -> {
            })) {
                assertThat(text(client.callTool(new CallToolRequest("echo", Map.of("text", "let in")))))
                        .isEqualTo("let in");
            }

            // The SDK's client turns a 401 (or 403) into this exception, the cause of its failed initialize().
            assertThatThrownBy(() -> client(guarded, "wrong", tools -> {
            }).close()).hasRootCauseInstanceOf(McpHttpClientTransportAuthorizationException.class);
            assertThatThrownBy(() -> client(guarded, null, tools -> {
            }).close()).hasRootCauseInstanceOf(McpHttpClientTransportAuthorizationException.class);
            HttpResponse<String> unauthorized = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build()
                    .send(HttpRequest.newBuilder(guarded.uri()).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(unauthorized.statusCode()).isEqualTo(401);
            assertThat(unauthorized.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            // The admin API is the test's own channel, open without the token.
            assertThat(guarded.admin("GET", "/admin/health")).contains("UP");
        }
    }

    /**
     * The SDK's client does not send {@code notifications/cancelled}, so this test speaks the wire protocol itself: a
     * session, a call of {@code slow} for a minute, then the cancellation naming the call's id.
     */
    @Test
    void aCancelledSlowCallStopsSleeping() throws Exception {
        HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        String session = wireSession(http);
        long cancelledBefore = server.cancelledSlowCalls();
        long slowBefore = server.calls("slow");

        CompletableFuture<HttpResponse<String>> call = http.sendAsync(mcpPost(session, """
                {"jsonrpc": "2.0", "id": "call-7", "method": "tools/call",
                 "params": {"name": "slow", "arguments": {"millis": 60000}}}"""),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> server.calls("slow") == slowBefore + 1);
        HttpResponse<String> cancel = http.send(mcpPost(session, """
                {"jsonrpc": "2.0", "method": "notifications/cancelled",
                 "params": {"requestId": "call-7", "reason": "the user stopped the turn"}}"""),
                HttpResponse.BodyHandlers.ofString());

        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(call.get(10, TimeUnit.SECONDS).body()).contains("\"isError\":true").contains("cancelled");
        assertThat(server.cancelledSlowCalls()).isEqualTo(cancelledBefore + 1);
    }

    @Test
    void aSlowCallWhoseClientGoesAwayStopsSleeping() throws Exception {
        HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        String session = wireSession(http);
        long cancelledBefore = server.cancelledSlowCalls();
        long slowBefore = server.calls("slow");

        CompletableFuture<HttpResponse<String>> call = http.sendAsync(mcpPost(session, """
                {"jsonrpc": "2.0", "id": 8, "method": "tools/call",
                 "params": {"name": "slow", "arguments": {"millis": 60000}}}"""),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> server.calls("slow") == slowBefore + 1);
        // The JDK's client aborts the exchange and closes its HTTP/1.1 connection.
        call.cancel(true);

        await().atMost(Duration.ofSeconds(10)).until(() -> server.cancelledSlowCalls() == cancelledBefore + 1);
    }

    /**
     * What the SDK's client (2.2.0) does when a caller gives up on a call: nothing the server can see. It neither sends
     * {@code notifications/cancelled} nor closes the call's connection, so the tool runs to its end. A client that
     * needs a cancelled call to stop its tool must do one of those itself; this server honours both.
     */
    @Test
    void theSdkClientDoesNotCancelACallItsCallerDisposed() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder(server.baseUri().toString())
                .endpoint("/mcp")
                .customizeClient(http -> http.proxy(HttpClient.Builder.NO_PROXY))
                .build();
        McpAsyncClient client = McpClient.async(transport).requestTimeout(Duration.ofSeconds(30)).build();
        try {
            client.initialize().block(Duration.ofSeconds(10));
            long cancelledBefore = server.cancelledSlowCalls();
            long slowBefore = server.calls("slow");

            Disposable call = client.callTool(new CallToolRequest("slow", Map.of("millis", 1000))).subscribe();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.calls("slow") == slowBefore + 1);
            call.dispose();

            // Longer than the call's second of sleep: the server never heard of the cancellation.
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                    .until(() -> server.cancelledSlowCalls() == cancelledBefore);
        } finally {
            client.close();
        }
    }

    /** A session opened by hand: {@code initialize}, then {@code notifications/initialized}; its id. */
    private static String wireSession(HttpClient http) throws Exception {
        HttpResponse<String> initialized = http.send(mcpPost(null, """
                {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
                 "capabilities": {}, "clientInfo": {"name": "wire-test", "version": "1"}}}"""),
                HttpResponse.BodyHandlers.ofString());
        assertThat(initialized.statusCode()).isEqualTo(200);
        String session = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> acknowledged = http.send(mcpPost(session, """
                {"jsonrpc": "2.0", "method": "notifications/initialized"}"""), HttpResponse.BodyHandlers.ofString());
        assertThat(acknowledged.statusCode()).isEqualTo(202);
        return session;
    }

    private static HttpRequest mcpPost(String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri())
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        }
        return request.build();
    }

    /**
     * The SDK's synchronous client on the server's streamable HTTP endpoint, initialized: {@code token}, if not null,
     * goes in {@code Authorization} on every request, and {@code toolsChanged} hears each new list of tools.
     */
    private static McpSyncClient client(McpServerProcess server, String token,
            Consumer<List<Tool>> toolsChanged) {
        HttpClientStreamableHttpTransport.Builder transport = HttpClientStreamableHttpTransport
                .builder(server.baseUri().toString())
                .endpoint("/mcp")
                .customizeClient(http -> http.proxy(HttpClient.Builder.NO_PROXY));
        if (token != null) {
            transport.httpRequestCustomizer((request, method, endpoint, body, context) -> request
                    .header("Authorization", "Bearer " + token));
        }
        McpSyncClient client = McpClient.sync(transport.build())
                .requestTimeout(Duration.ofSeconds(10))
                .initializationTimeout(Duration.ofSeconds(10))
                .toolsChangeConsumer(toolsChanged)
                .build();
        try {
            client.initialize();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    private static String text(CallToolResult result) {
        assertThat(result.content()).hasSize(1);
        return ((TextContent) result.content().getFirst()).text();
    }
}
