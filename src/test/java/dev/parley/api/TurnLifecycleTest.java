package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.LogCapture;
import dev.parley.harness.RawHttp;
import dev.parley.tool.SlowTestTool;

/**
 * A turn's lifetime against its deadline, the concurrency limit and its budget: one upstream stream at a time (so a
 * second turn waits for the permit), every caller budgeted, an assistant offering a blocking tool, and the engine's
 * debug lines on, which name the thread and the context of each step of a turn (admitted, started, each attempt of each
 * round, each tool result, ended).
 */
@QuarkusTest
@TestProfile(TurnLifecycleTest.OneStreamAtATime.class)
class TurnLifecycleTest {

    /** One permit, a queue, a budget for everyone, and the lines that show where a turn runs. */
    public static class OneStreamAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "parley.upstream.concurrency.max-streams", "1",
                    "parley.upstream.concurrency.queue-size", "4",
                    "parley.auth.mode", "gateway",
                    "parley.budgets.default.daily-usd", "1",
                    // An assistant offering the test-only blocking tool, which runs on a thread of its own.
                    "parley.assistants.blocking.model", "claude-sonnet-4-6",
                    "parley.assistants.blocking.system-prompt", "You use tools.",
                    "parley.assistants.blocking.tools", "slow_test_tool",
                    "quarkus.log.category.\"dev.parley.chat.ChatEngine\".level", "DEBUG",
                    "quarkus.log.category.\"dev.parley.chat.TurnRun\".level", "DEBUG");
        }
    }

    private static final String EVENT_LOOP = "vert.x-eventloop-thread-";

    @TestHTTPResource("/")
    URI app;

    @Inject
    SlowTestTool slowTool;

    private LogCapture logs;

    @BeforeEach
    void captureLogs() {
        logs = LogCapture.install();
    }

    @AfterEach
    void stopCapturing() {
        logs.close();
    }

    @Test
    void aDeadlineThatExpiresMidRoundEndsTheTurnOnItsOwnContextWithTheUsageSoFar() {
        String requestId = "deadline-" + uniqueId();
        StreamReply reply = client(newCaller(), requestId)
                .stream(body("[[sim:tokens=100]] [[sim:delay=50ms]] Hi", 200, 600));

        assertThat(reply.names()).contains("text").endsWith("error");
        JsonNode error = reply.last().data();
        assertThat(error.path("error").path("code").asText()).isEqualTo("deadline_exceeded");
        assertThat(error.path("usage").path("inputTokens").asLong()).isPositive();
        // The deadline's timer fires on the worker pool; the turn is ended where it runs.
        assertRanOnOneEventLoop(requestId);
    }

    @Test
    void aTurnWhoseDeadlinePassesWhileItWaitsForAPermitEndsDeadlineExceededWithoutCallingTheUpstream() {
        String holder = uniqueId();
        CompletableFuture<StreamReply> first = holdThePermit(newCaller(), holder, 60);
        try {
            String caller = newCaller();
            String queued = uniqueId();
            long start = System.nanoTime();
            StreamReply expired = client(caller, "late-" + queued)
                    .stream(body("[[sim:id=" + queued + "]] [[sim:reply=Too late.]]", 100, 500));

            // Heartbeats may commit the stream while the turn waits, so the end is an event, not a status.
            assertThat(expired.status()).isEqualTo(200);
            assertThat(expired.names()).containsExactly("error");
            JsonNode error = expired.last().data();
            assertThat(error.path("error").path("code").asText()).isEqualTo("deadline_exceeded");
            assertThat(error.path("usage").path("inputTokens").asLong()).isZero();
            // The deadline counted from admission: the wait in the queue used it up.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(500),
                    Duration.ofMillis(3000));
            assertThat(client(caller, null).simulatorCounter(queued, "streamsStarted")).isZero();
            await().atMost(Duration.ofSeconds(2)).until(() -> reservedUsd(caller).signum() == 0);
            assertThat(first).isNotDone();
        } finally {
            // The next test needs the permit.
            first.join();
        }
    }

    @Test
    void aTurnThatWaitedForAPermitRunsOnItsRequestsContext() {
        String holder = uniqueId();
        String holderRequest = "holder-" + holder;
        CompletableFuture<StreamReply> first = holdThePermit(newCaller(), holder, 60, holderRequest);
        String releasingThread = threadOf(holderRequest, "started");
        // The server hands each new connection to its next event loop: the waiting turn is sent from connections
        // until one is not on the holder's loop, so a turn started where the permit was released would show.
        String requestId = null;
        RawHttp.Reply reply = null;
        for (int attempt = 0; reply == null; attempt++) {
            assertThat(attempt).as("connections tried for another event loop").isLessThan(8);
            String candidate = "queued-" + uniqueId();
            RawHttp connection = send(newCaller(), candidate, body("[[sim:reply=Served after waiting.]]", 100, 30_000));
            await().atMost(Duration.ofSeconds(10)).until(() -> given().get(app.resolve("/q/metrics")).asString()
                    .contains("parley_upstream_streams_waiting 1.0"));
            if (threadOf(candidate, "admitted").equals(releasingThread)) {
                // Hung up while waiting: it leaves the queue.
                connection.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> given().get(app.resolve("/q/metrics")).asString()
                        .contains("parley_upstream_streams_waiting 0.0"));
            } else {
                requestId = candidate;
                reply = connection.reply();
                connection.close();
            }
        }

        assertThat(first.join().names()).endsWith("done");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("event: done").doesNotContain("event: error");
        // Admitted on the request's context; started when the holder's end released the permit; still there.
        assertRanOnOneEventLoop(requestId);
        assertThat(threadOf(requestId, "started")).isNotEqualTo(releasingThread);
    }

    @Test
    void aTurnCancelledWhileQueuedReleasesItsBudgetReservationAtOnce() {
        String caller = newCaller();
        String holder = uniqueId();
        CompletableFuture<StreamReply> first = holdThePermit(caller, holder, 100);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> reservedUsd(caller).signum() > 0);
            BigDecimal firstHold = reservedUsd(caller);

            String queued = uniqueId();
            String json = body("[[sim:id=" + queued + "]] [[sim:reply=Never sent.]]", 100, 30_000);
            try (RawHttp connection = send(caller, "cancelled-" + queued, json)) {
                // Its worst case is reserved, then it waits for the permit the first turn holds.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> reservedUsd(caller).compareTo(firstHold) > 0
                                && given().get(app.resolve("/q/metrics")).asString()
                                        .contains("parley_upstream_streams_waiting 1.0"));
            }
            // The client hung up: the queued turn's hold goes at once, the running turn's stays.
            await().atMost(Duration.ofSeconds(2)).until(() -> reservedUsd(caller).compareTo(firstHold) == 0);
            assertThat(first).isNotDone();
            assertThat(client(caller, null).simulatorCounter(queued, "streamsStarted")).isZero();
        } finally {
            // The next test needs the permit.
            first.join();
        }
    }

    @Test
    void aRetriedRoundFollowedByAToolRoundStaysOnOneContext() {
        String id = uniqueId();
        String requestId = "retried-" + id;
        String label = "nap-" + id;
        // Attempt 1 is overloaded before any content; its retry asks for the blocking tool; round 2 answers.
        String message = "[[sim:id=" + id + "]] [[sim:fault=529]] [[sim:tool=slow_test_tool {\"label\":\"" + label
                + "\",\"millis\":100}]]";
        StreamReply reply = client(newCaller(), requestId).stream(SseTestClient.json(Map.of("message", message,
                "assistant", "blocking", "maxTokens", 200, "deadlineMs", 30_000)));

        assertThat(reply.names()).containsSubsequence("retry", "tool_call", "tool_result", "text", "done")
                .endsWith("done").doesNotContain("error");
        assertThat(reply.last().data().path("roundCount").asInt()).isEqualTo(2);
        assertThat(slowTool.nap(label)).as("the tool ran").isNotNull();
        assertThat(client(newCaller(), null).simulatorCounter(id, "requests")).isEqualTo(3);

        // Every step that touches the turn's state, in order, on the thread that admitted the turn, though the retry
        // waited on a timer and the tool ran on a thread of its own.
        await().atMost(Duration.ofSeconds(5)).until(() -> stepsOf(requestId).stream()
                .anyMatch(line -> line.message().startsWith("turn ended")));
        List<LogCapture.Line> steps = stepsOf(requestId);
        assertThat(steps).extracting(line -> line.message().replaceAll(" on context .*", "")).containsExactly(
                "turn admitted", "turn started", "turn round 1 attempt 1", "turn round 1 attempt 2",
                "turn round 1 ended", "turn tool result " + toolCallId(reply), "turn round 2 follows the tools",
                "turn round 2 attempt 1", "turn round 2 ended", "turn ended");
        assertThat(steps.getFirst().thread()).startsWith(EVENT_LOOP);
        assertThat(steps).allSatisfy(line -> assertThat(line.thread()).as(line.message())
                .isEqualTo(steps.getFirst().thread()));
        // And on one context, the turn's own: each attempt (after the retry's delay too), each round's end (the
        // upstream
        // call delivers its events there), each tool result and what follows the tools.
        String turnContext = contextOf(steps.getFirst());
        assertThat(steps).allSatisfy(line -> assertThat(contextOf(line)).as(line.message()).isEqualTo(turnContext));
    }

    private static String contextOf(LogCapture.Line line) {
        return line.message().replaceAll(".* on context ([^: ]+).*", "$1");
    }

    private static String toolCallId(StreamReply reply) {
        return reply.frames().stream().filter(frame -> "tool_call".equals(frame.event())).findFirst().orElseThrow()
                .data().path("id").asText();
    }

    /** Every debug line of the turn that names the context of one of its steps. */
    private List<LogCapture.Line> stepsOf(String requestId) {
        return logs.lines().stream().filter(line -> requestId.equals(line.requestId()))
                .filter(line -> line.message().startsWith("turn ") && line.message().contains(" on context "))
                .toList();
    }

    /** A paced reply of {@code tokens} tokens, 50 ms apart, that holds the one permit while it streams. */
    private CompletableFuture<StreamReply> holdThePermit(String caller, String id, int tokens) {
        return holdThePermit(caller, id, tokens, null);
    }

    private CompletableFuture<StreamReply> holdThePermit(String caller, String id, int tokens, String requestId) {
        SseTestClient sse = client(caller, requestId);
        CompletableFuture<StreamReply> reply = CompletableFuture.supplyAsync(() -> sse
                .stream(body("[[sim:id=" + id + "]] [[sim:tokens=" + tokens + "]] [[sim:delay=50ms]]", 200, 60_000)));
        await().atMost(Duration.ofSeconds(10)).until(() -> sse.simulatorCounter(id, "streamsStarted") == 1);
        return reply;
    }

    /**
     * The turn's three debug lines (admitted, started, ended) were written on one event-loop thread and one Vert.x
     * context: the request's, the only one that touches the turn's state.
     */
    private void assertRanOnOneEventLoop(String requestId) {
        await().atMost(Duration.ofSeconds(5)).until(() -> linesOf(requestId).stream()
                .anyMatch(line -> line.message().startsWith("turn ended")));
        List<LogCapture.Line> lines = linesOf(requestId);
        assertThat(lines).extracting(line -> line.message().split(" ")[1]).containsExactly("admitted", "started",
                "ended");
        assertThat(lines.getFirst().thread()).startsWith(EVENT_LOOP);
        assertThat(lines).extracting(LogCapture.Line::thread).containsOnly(lines.getFirst().thread());
        assertThat(lines).extracting(TurnLifecycleTest::contextOf).containsOnly(contextOf(lines.getFirst()));
    }

    /** A chat stream request on a connection of its own, its reply left to read. */
    private RawHttp send(String caller, String requestId, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return RawHttp.connect(app).head("POST /v1/chat/stream HTTP/1.1", "Host: localhost",
                "Content-Type: application/json", "Accept: text/event-stream", "X-Parley-Caller: " + caller,
                "X-Request-Id: " + requestId, "Content-Length: " + bytes.length).send(bytes);
    }

    /** The thread that wrote the turn's debug line for this step, once it was written. */
    private String threadOf(String requestId, String step) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> linesOf(requestId).stream()
                .filter(line -> line.message().startsWith("turn " + step + " ")).map(LogCapture.Line::thread)
                .findFirst(), Optional::isPresent).orElseThrow();
    }

    private List<LogCapture.Line> linesOf(String requestId) {
        return logs.lines().stream().filter(line -> requestId.equals(line.requestId()))
                .filter(line -> line.message().matches("turn (admitted|started|ended) on context .*")).toList();
    }

    private BigDecimal reservedUsd(String caller) {
        for (JsonNode entry : client(caller, null).getJson("/v1/budget").path("windows")) {
            if (entry.path("window").asText().equals("day")) {
                return entry.get("reservedUsd").decimalValue();
            }
        }
        throw new AssertionError("no day window for " + caller);
    }

    private SseTestClient client(String caller, String requestId) {
        return new SseTestClient(app, requestId == null
                ? Map.of("X-Parley-Caller", caller)
                : Map.of("X-Parley-Caller", caller, "X-Request-Id", requestId));
    }

    private static String newCaller() {
        return "lifecycle-" + UUID.randomUUID();
    }

    private static String body(String message, int maxTokens, long deadlineMs) {
        return SseTestClient.json(Map.of("message", message, "maxTokens", maxTokens, "deadlineMs", deadlineMs));
    }
}
