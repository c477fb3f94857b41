package dev.parley.mcp;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.parley.harness.McpServerProcess;

/**
 * MCP servers as a source of tools, against a real MCP server in a process of its own (the MCP Java SDK's server,
 * {@code dev.parley.mcp.testserver.McpTestServer}): its tools are listed and offered under {@code <server>__<tool>},
 * called through the model's tool loop, checked against the server's schema, timed out, listed again when they change
 * or the server comes back, and a server that is down is an error result and a health detail, never an unready replica.
 * The profile {@code mcp} offers {@code calculate} and the servers {@code test} (every tool, calls time out after 1 s)
 * and {@code other} (the same server, {@code allowed-tools=echo,slow}, the default call timeout of 30 s).
 */
@QuarkusTest
@TestProfile(McpToolsTest.McpProfile.class)
class McpToolsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OFFERED = List.of("calculate", "test__add", "test__echo", "test__fail",
            "test__slow", "other__echo", "other__slow");

    /** The {@code mcp} profile and short timings, so that a server's coming and going is seen at once. */
    public static class McpProfile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("parley.assistants.mcp.model", "claude-sonnet-4-6"),
                    Map.entry("parley.assistants.mcp.system-prompt", "You use the tools of an MCP server."),
                    Map.entry("parley.assistants.mcp.tools", "calculate"),
                    Map.entry("parley.assistants.mcp.mcp-servers", "test,other"),
                    Map.entry("parley.assistants.mcp-thinker.model", "claude-opus-5-5"),
                    Map.entry("parley.assistants.mcp-thinker.system-prompt", "You think, then use an MCP server."),
                    Map.entry("parley.assistants.mcp-thinker.mcp-servers", "test"),
                    Map.entry("parley.mcp.servers.test.call-timeout", "1s"),
                    Map.entry("parley.mcp.servers.other.allowed-tools", "echo,slow"),
                    Map.entry("parley.mcp.ping-interval", "200ms"),
                    Map.entry("parley.mcp.connect-timeout", "2s"),
                    Map.entry("parley.mcp.reconnect-initial-backoff", "100ms"),
                    Map.entry("parley.mcp.reconnect-max-backoff", "400ms"));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(McpTestServerResource.class));
        }
    }

    @McpTestServerResource.Server
    McpServerProcess server;

    @TestHTTPResource("/")
    URI app;

    @BeforeEach
    void serverUpWithItsFourTools() {
        if (!server.isRunning()) {
            server.restart();
        }
        awaitOffered(OFFERED);
        server.resetCalls();
    }

    @AfterEach
    void withoutExtra() {
        if (server.isRunning()) {
            server.removeExtraTool();
        }
    }

    @Test
    void theServersToolsAreOfferedUnderPrefixedNamesAfterTheProfilesOwn() {
        assertThat(offered()).containsExactlyElementsOf(OFFERED);

        String id = "mcp-" + UUID.randomUUID();
        JsonNode reply = chat("[[sim:id=" + id + "]] [[sim:reply=Fine.]] Hello");
        assertThat(reply.path("text").asText()).isEqualTo("Fine.");
        JsonNode tools = recorded(id).get(0).path("body").path("tools");
        List<String> names = new ArrayList<>();
        tools.forEach(tool -> names.add(tool.path("name").asText()));
        assertThat(names).containsExactlyElementsOf(OFFERED);
        // The server's own schema and description, as it listed them.
        JsonNode add = tools.get(1);
        assertThat(add.path("input_schema").path("properties").path("a").path("type").asText()).isEqualTo("integer");
        assertThat(add.path("input_schema").path("required").toString()).contains("\"a\"", "\"b\"");
        assertThat(add.path("description").asText()).isNotBlank();
    }

    @Test
    void aCallGoesToTheServerAndItsAnswerToTheModel() {
        String id = "mcp-" + UUID.randomUUID();
        JsonNode reply = chat("[[sim:id=" + id + "]] [[sim:tool=test__add {\"a\":2,\"b\":3}]] "
                + "[[sim:tool=other__echo {\"text\":\"hello\"}]] Add them");

        assertThat(reply.path("toolCalls")).hasSize(2);
        JsonNode add = call(reply, "test__add");
        assertThat(add.path("isError").asBoolean()).isFalse();
        assertThat(add.path("output").asText()).isEqualTo("5");
        assertThat(call(reply, "other__echo").path("output").asText()).isEqualTo("hello");
        assertThat(server.calls("add")).isEqualTo(1);
        assertThat(server.calls("echo")).isEqualTo(1);
        // Round 2 carried the results back to the model.
        JsonNode results = last(recorded(id).get(1).path("body").path("messages")).path("content");
        assertThat(results.toString()).contains("\"5\"").contains("hello");
        assertThat(metrics()).contains("parley_tool_calls_total{outcome=\"ok\",tool=\"test__add\"} 1.0");
    }

    @Test
    void anInputAgainstTheServersSchemaIsAnErrorResultAndTheServerIsNotCalled() {
        JsonNode reply = chat("[[sim:tool=test__add {\"a\":\"two\",\"b\":3}]] Add them");

        JsonNode add = call(reply, "test__add");
        assertThat(add.path("isError").asBoolean()).isTrue();
        assertThat(add.path("error").asText())
                .isEqualTo("Invalid input for test__add: property 'a' must be an integer, not a string");
        assertThat(server.calls("add")).isZero();
    }

    @Test
    void aToolErrorOfTheServerIsAnErrorResultWithItsText() {
        JsonNode fail = call(chat("[[sim:tool=test__fail {}]] Fail"), "test__fail");

        assertThat(fail.path("isError").asBoolean()).isTrue();
        assertThat(fail.path("error").asText()).isEqualTo("it failed");
    }

    @Test
    void aSlowToolTimesOutAfterItsServersCallTimeout() {
        JsonNode slow = call(chat("[[sim:tool=test__slow {\"millis\":5000}]] Wait"), "test__slow");

        assertThat(slow.path("isError").asBoolean()).isTrue();
        assertThat(slow.path("error").asText()).isEqualTo("Tool 'test__slow' timed out after 1s");
        assertThat(slow.path("durationMs").asLong()).isBetween(1000L, 4000L);
        // The server was told: its call stopped sleeping.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.cancelledSlowCalls() == 1);
    }

    @Test
    void aChatThatGoesAwayCancelsItsCallOnTheServer() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(app + "v1/chat/stream"))
                .header("content-type", "application/json").header("accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("assistant", "mcp",
                        "message", "[[sim:tool=other__slow {\"millis\":20000}]] Wait"))))
                .build();
        try (HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build()) {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader events = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                String line;
                do {
                    line = events.readLine();
                } while (line != null && !line.equals("event: tool_call"));
                assertThat(line).isEqualTo("event: tool_call");
                await().atMost(Duration.ofSeconds(5)).until(() -> server.calls("slow") == 1);
            } // hangs up
        }

        // Long before the call's 20 s, and its server's 30 s timeout.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.cancelledSlowCalls() == 1);
    }

    @Test
    void aChangedListIsOfferedInTheNextTurn() {
        server.addExtraTool();
        awaitOffered(List.of("calculate", "test__add", "test__echo", "test__extra", "test__fail", "test__slow",
                "other__echo", "other__slow"));

        JsonNode extra = call(chat("[[sim:tool=test__extra {}]] Extra"), "test__extra");
        assertThat(extra.path("output").asText()).isEqualTo("extra");

        server.removeExtraTool();
        awaitOffered(OFFERED);
        JsonNode gone = call(chat("[[sim:tool=test__extra {}]] Extra"), "test__extra");
        assertThat(gone.path("error").asText()).isEqualTo("Unknown tool 'test__extra'");
    }

    @Test
    void aRestartedServerIsListedAgainAndCalledInItsNewSession() {
        server.addExtraTool();
        awaitOffered(List.of("calculate", "test__add", "test__echo", "test__extra", "test__fail", "test__slow",
                "other__echo", "other__slow"));

        server.restart(); // a new process, without extra and without the old sessions
        awaitOffered(OFFERED);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                call(chat("[[sim:tool=test__echo {\"text\":\"again\"}]] Echo"), "test__echo").path("output").asText())
                .isEqualTo("again"));
    }

    @Test
    void aServerThatIsDownIsAnErrorResultAndAHealthDetailButTheReplicaStaysReady() {
        server.stop();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(mcpHealth().path("data").path("test")
                .asText()).startsWith("down: "));
        JsonNode ready = readiness(200);
        assertThat(ready.path("status").asText()).isEqualTo("UP");
        JsonNode mcp = mcpHealth();
        assertThat(mcp.path("status").asText()).isEqualTo("UP");
        assertThat(mcp.path("data").path("other").asText()).startsWith("down: ");
        // Its last list stays offered; a call is an error result at once.
        assertThat(offered()).containsExactlyElementsOf(OFFERED);
        JsonNode echo = call(chat("[[sim:tool=test__echo {\"text\":\"anyone?\"}]] Echo"), "test__echo");
        assertThat(echo.path("isError").asBoolean()).isTrue();
        assertThat(echo.path("error").asText()).startsWith("MCP server 'test' is unavailable (");

        server.restart();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(mcpHealth().path("data").path("test")
                .asText()).isEqualTo("up (4 tools)"));
        assertThat(mcpHealth().path("data").path("other").asText()).isEqualTo("up (2 tools)");
    }

    @Test
    void aChangedListDropsAKeptConversationsEarlierThinkingAsAProfileChangeDoes() {
        String id = "mcp-" + UUID.randomUUID();
        JsonNode first = chat("mcp-thinker", Map.of("message", "Hi [[sim:thinking=4]] [[sim:id=" + id + "]]",
                "startConversation", true));
        String conversation = first.path("conversationId").asText();
        chat("mcp-thinker", Map.of("message", "Again [[sim:thinking=4]] [[sim:id=" + id + "]]", "conversationId",
                conversation));

        server.addExtraTool();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(offered("mcp-thinker"))
                .contains("test__extra"));
        chat("mcp-thinker", Map.of("message", "Once more [[sim:id=" + id + "]]", "conversationId", conversation));

        JsonNode requests = recorded(id);
        assertThat(requests.size()).isEqualTo(3);
        // Same tools: the first turn's thinking goes back as the API made it.
        JsonNode second = requests.get(1).path("body").path("messages");
        assertThat(second.get(1).path("content").get(0).path("type").asText()).isEqualTo("thinking");
        // The list changed, and with it the prefix: no earlier thinking is sent back.
        JsonNode third = requests.get(2).path("body");
        assertThat(third.path("tools").toString()).contains("\"test__extra\"");
        assertThat(third.path("messages").get(1).toString()).doesNotContain("\"thinking\"");
        assertThat(third.path("messages").get(3).toString()).doesNotContain("\"thinking\"");
    }

    // ---- helpers

    private static void awaitOffered(List<String> expected) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(offered())
                .containsExactlyElementsOf(expected));
    }

    private static List<String> offered() {
        return offered("mcp");
    }

    private static List<String> offered(String profile) {
        JsonNode assistants = read(given().get("/v1/assistants").then().statusCode(200).extract().response());
        List<String> names = new ArrayList<>();
        for (JsonNode assistant : assistants) {
            if (assistant.path("name").asText().equals(profile)) {
                assistant.path("tools").forEach(tool -> names.add(tool.asText()));
            }
        }
        return names;
    }

    private static JsonNode chat(String message) {
        return chat("mcp", Map.of("message", message));
    }

    private static JsonNode chat(String profile, Map<String, Object> request) {
        Map<String, Object> body = new HashMap<>(request);
        if (!body.containsKey("conversationId")) {
            body.put("assistant", profile);
        }
        Response response = given().accept("application/json").contentType("application/json").body(body)
                .post("/v1/chat");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        return read(response);
    }

    private static JsonNode call(JsonNode reply, String tool) {
        for (JsonNode call : reply.path("toolCalls")) {
            if (call.path("name").asText().equals(tool)) {
                return call;
            }
        }
        throw new AssertionError("no call of " + tool + " in " + reply);
    }

    private static JsonNode recorded(String id) {
        return read(given().get("/simulator/admin/requests?id=" + id).then().statusCode(200).extract().response());
    }

    private static JsonNode mcpHealth() {
        for (JsonNode check : readiness(-1).path("checks")) {
            if (check.path("name").asText().equals("mcp")) {
                return check;
            }
        }
        throw new AssertionError("no mcp check");
    }

    private static JsonNode readiness(int status) {
        Response response = given().get("/q/health/ready");
        if (status > 0) {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        }
        return read(response);
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static JsonNode last(JsonNode array) {
        return array.get(array.size() - 1);
    }

    private static JsonNode read(Response response) {
        try {
            return JSON.readTree(response.asString());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.asString(), e);
        }
    }
}
