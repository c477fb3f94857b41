package dev.parley.api;

import static dev.parley.api.SseTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.McpServerProcess;
import dev.parley.mcp.McpTestServerResource;

/**
 * A tool of an MCP server that needs approval, against the real MCP test server in its own process: the turn asks
 * before calling it, an approved call reaches the server, a denied one never does.
 */
@QuarkusTest
@TestProfile(McpToolApprovalsTest.McpEchoNeedsApproval.class)
class McpToolApprovalsTest {

    /** The profile {@code mcp-approved} offers the server {@code test}; its {@code echo} needs approval. */
    public static class McpEchoNeedsApproval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.assistants.mcp-approved.model", "claude-sonnet-4-6",
                    "parley.assistants.mcp-approved.system-prompt", "You use the tools of an MCP server.",
                    "parley.assistants.mcp-approved.mcp-servers", "test",
                    "parley.tools.needs-approval", "test__echo", "parley.tools.approval-timeout", "10s");
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

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void serverListed() {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> new SseTestClient(app).getJson("/v1/assistants").toString().contains("test__echo"));
        server.resetCalls();
    }

    @Test
    void anApprovedCallIsAskedForThenReachesTheServer() {
        StreamReply reply = echoing("approved", "approve");

        assertThat(reply.names()).containsSubsequence("tool_call", "tool_approval", "tool_result", "done");
        JsonNode asked = event(reply, "tool_approval").data();
        assertThat(asked.path("name").asText()).isEqualTo("test__echo");
        assertThat(asked.path("input").path("text").asText()).isEqualTo("approved");
        JsonNode result = event(reply, "tool_result").data();
        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("output").asText()).isEqualTo("approved");
        assertThat(server.calls("echo")).isEqualTo(1);
    }

    @Test
    void aDeniedCallNeverReachesTheServer() {
        StreamReply reply = echoing("denied", "deny");

        JsonNode result = event(reply, "tool_result").data();
        assertThat(result.path("isError").asBoolean()).isTrue();
        assertThat(result.path("error").asText()).isEqualTo("The user denied this tool call.");
        assertThat(reply.last().event()).isEqualTo("done");
        assertThat(server.calls("echo")).isZero();
    }

    /** Streams a turn whose model calls {@code test__echo}, and answers its question with {@code decision}. */
    private StreamReply echoing(String text, String decision) {
        String[] turnId = new String[1];
        int[] answered = {0};
        String message = "[[sim:id=mcp-approval-" + UUID.randomUUID() + "]] [[sim:tool=test__echo {\"text\":\""
                + text + "\"}]] Echo";
        StreamReply reply = new SseTestClient(app).stream(json(Map.of("assistant", "mcp-approved", "message",
                message)), frame -> {
                    if ("start".equals(frame.event())) {
                        turnId[0] = frame.data().path("turnId").asText();
                    } else if ("tool_approval".equals(frame.event()) && answered[0] == 0) {
                        answered[0] = answer(turnId[0], frame.data().path("callId").asText(), decision);
                    }
                    return false;
                });
        assertThat(answered[0]).as("the answer's status").isEqualTo(204);
        return reply;
    }

    private int answer(String turnId, String callId, String decision) {
        HttpRequest request = HttpRequest.newBuilder(app.resolve("/v1/chat/turns/" + turnId + "/approvals/" + callId))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"decision\":\"" + decision + "\"}")).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Frame event(StreamReply reply, String name) {
        return reply.events().stream().filter(frame -> name.equals(frame.event())).findFirst().orElseThrow(
                () -> new AssertionError("no " + name + " event in " + reply.names()));
    }
}
