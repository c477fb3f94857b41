package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static dev.parley.api.SseTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.api.SseTestClient.StreamReply;

/**
 * With the OpenTelemetry SDK on, a turn is one {@code chat {model}} span with the GenAI attributes and its usage, a
 * child of the HTTP request's span; each upstream call (one per round and attempt) and each tool call is a child of
 * the turn's span; and every one of them ends, also when the turn fails or the client goes away.
 */
@QuarkusTest
@TestProfile(ChatTracingTest.Tracing.class)
class ChatTracingTest {

    /** The SDK on (it is off by default), exporting at once to the in-memory exporter. */
    public static class Tracing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The OTLP exporter is off too (a build-time key: fine for this test's own build, but not in
            // application.properties, where it would differ from the packaged jar the IT twins run).
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "10ms",
                    "quarkus.otel.exporter.otlp.enabled", "false");
        }
    }

    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("parley.request_id");

    @TestHTTPResource("/")
    URI app;

    @Inject
    InMemorySpanExporter spans;

    private SseTestClient sse;
    private String id;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
        id = uniqueId();
    }

    @Test
    void toolTurnIsAChatSpanWithUsageAndAChildSpanPerUpstreamCallAndPerToolCall() {
        StreamReply reply = toolbox("[[sim:tool=calculate {\"expression\":\"2+3\"}]] "
                + "[[sim:tool=get_stock_price {\"ticker\":\"TSLA\"}]]");
        assertThat(reply.last().event()).isEqualTo("done");
        SpanData chat = chatSpan(reply.header("X-Request-Id"));

        assertThat(chat.getName()).isEqualTo("chat claude-sonnet-4-6");
        assertThat(chat.getKind()).isEqualTo(SpanKind.CLIENT);
        JsonNode done = reply.last().data();
        assertThat(attributes(chat)).containsEntry("gen_ai.operation.name", "chat")
                .containsEntry("gen_ai.provider.name", "anthropic")
                .containsEntry("gen_ai.request.model", "claude-sonnet-4-6")
                .containsEntry("gen_ai.request.max_tokens", 4096L)
                .containsEntry("gen_ai.response.model", "claude-sonnet-4-6")
                .containsEntry("gen_ai.response.finish_reasons", List.of("end_turn"))
                .containsEntry("gen_ai.usage.input_tokens", done.at("/usage/inputTokens").asLong())
                .containsEntry("gen_ai.usage.output_tokens", done.at("/usage/outputTokens").asLong())
                .containsEntry("parley.turn.outcome", "ok")
                .containsEntry("parley.turn.rounds", 2L)
                .containsEntry("parley.assistant", "toolbox");
        assertThat(done.at("/usage/inputTokens").asLong()).isPositive();
        assertThat(chat.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        // The turn belongs to the HTTP request it answers.
        SpanData server = span(chat.getParentSpanId()).orElseThrow();
        assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.getName()).contains("/v1/chat/stream");

        List<SpanData> children = children(chat);
        List<SpanData> tools = children.stream().filter(span -> span.getName().startsWith("execute_tool ")).toList();
        List<String> callIds = reply.events().stream().filter(frame -> frame.event().equals("tool_call"))
                .map(Frame::data).map(call -> call.path("id").asText()).toList();
        assertThat(tools).extracting(SpanData::getName)
                .containsExactlyInAnyOrder("execute_tool calculate", "execute_tool get_stock_price");
        assertThat(tools).extracting(span -> span.getAttributes().get(AttributeKey.stringKey("gen_ai.tool.call.id")))
                .containsExactlyInAnyOrderElementsOf(callIds);
        assertThat(tools).allSatisfy(tool -> assertThat(attributes(tool))
                .containsEntry("gen_ai.operation.name", "execute_tool")
                .containsEntry("parley.tool.outcome", "ok"));
        assertThat(tools).extracting(span -> span.getAttributes().get(AttributeKey.stringKey("gen_ai.tool.name")))
                .containsExactlyInAnyOrder("calculate", "get_stock_price");

        // One upstream call per round, each a client span of the HTTP client under the turn.
        List<SpanData> upstream = upstreamCalls(chat);
        assertThat(upstream).hasSize(2);
        assertThat(upstream).allSatisfy(call -> assertThat(call.getName()).startsWith("POST"));
    }

    @Test
    void aRetriedRoundHasOneUpstreamSpanPerAttempt() {
        StreamReply reply = toolbox("[[sim:fault=529]] [[sim:reply=Fine.]]");
        assertThat(reply.names()).startsWith("retry").endsWith("done");
        SpanData chat = chatSpan(reply.header("X-Request-Id"));
        assertThat(upstreamCalls(chat)).hasSize(2);
        assertThat(attributes(chat)).containsEntry("parley.turn.outcome", "ok").containsEntry("parley.turn.rounds",
                1L);
    }

    @Test
    void aFailedTurnEndsItsSpanAsAnErrorWithTheCode() {
        StreamReply reply = toolbox("[[sim:fault=400 times=always]]");
        assertThat(reply.last().event()).isEqualTo("error");
        SpanData chat = chatSpan(reply.header("X-Request-Id"));
        assertThat(chat.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attributes(chat)).containsEntry("error.type", "upstream_rejected")
                .containsEntry("parley.turn.outcome", "upstream_error");
    }

    @Test
    void aClientThatHangsUpEndsTheTurnAndToolSpansAsCancelled() {
        String requestId = "trace-" + id;
        sse.streamAndHangUp(json(Map.of("message", "[[sim:id=" + id + "]] [[sim:tool=nap {\"ms\":20000}]]",
                "assistant", "toolbox")), frame -> "tool_call".equals(frame.event()), requestId);
        SpanData chat = chatSpan(requestId);
        assertThat(attributes(chat)).containsEntry("parley.turn.outcome", "client_cancelled");
        await().atMost(Duration.ofSeconds(5)).until(() -> children(chat).stream()
                .anyMatch(span -> span.getName().equals("execute_tool nap")));
        SpanData nap = children(chat).stream().filter(span -> span.getName().equals("execute_tool nap")).findFirst()
                .orElseThrow();
        assertThat(attributes(nap)).containsEntry("parley.tool.outcome", "cancelled");
    }

    /** The ended span of the turn of this request, once exported. */
    private SpanData chatSpan(String requestId) {
        assertThat(requestId).isNotBlank();
        return await().atMost(Duration.ofSeconds(5)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> requestId.equals(span.getAttributes().get(REQUEST_ID))).findFirst(),
                Optional::isPresent).orElseThrow();
    }

    private List<SpanData> upstreamCalls(SpanData chat) {
        return children(chat).stream().filter(span -> span.getKind() == SpanKind.CLIENT).toList();
    }

    private List<SpanData> children(SpanData parent) {
        return spans.getFinishedSpanItems().stream()
                .filter(span -> span.getParentSpanId().equals(parent.getSpanId())).toList();
    }

    private Optional<SpanData> span(String spanId) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> span.getSpanId().equals(spanId)).findFirst(), Optional::isPresent);
    }

    private static Map<String, Object> attributes(SpanData span) {
        Map<String, Object> attributes = new HashMap<>();
        span.getAttributes().forEach((key, value) -> attributes.put(key.getKey(), value));
        return attributes;
    }

    private StreamReply toolbox(String directives) {
        return sse.stream(json(Map.of("message", "[[sim:id=" + id + "]] " + directives, "assistant", "toolbox")));
    }
}
