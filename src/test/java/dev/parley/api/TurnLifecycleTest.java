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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

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

/**
 * A turn's lifetime against its deadline, the concurrency limit and its budget: one upstream stream at a time (so a
 * second turn waits for the permit), every caller budgeted, and the engine's debug lines on, which name the thread
 * that admitted, started and ended each turn.
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
                    "quarkus.log.category.\"dev.parley.chat.ChatEngine\".level", "DEBUG",
                    "quarkus.log.category.\"dev.parley.chat.TurnRun\".level", "DEBUG");
        }
    }

    private static final String EVENT_LOOP = "vert.x-eventloop-thread-";

    @TestHTTPResource("/")
    URI app;

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
        CompletableFuture<StreamReply> first = holdThePermit(newCaller(), holder, 20);
        String requestId = "queued-" + uniqueId();
        CompletableFuture<StreamReply> second = CompletableFuture.supplyAsync(
                () -> client(newCaller(), requestId).stream(body("[[sim:reply=Served after waiting.]]", 100, 30_000)));
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get(app.resolve("/q/metrics")).asString()
                .contains("parley_upstream_streams_waiting 1.0"));

        assertThat(first.join().names()).endsWith("done");
        StreamReply reply = second.join();
        assertThat(reply.names()).endsWith("done");
        assertThat(reply.text()).isEqualTo("Served after waiting.");
        // Admitted on the request's context; started when another turn's end released the permit; still there.
        assertRanOnOneEventLoop(requestId);
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
            byte[] json = body("[[sim:id=" + queued + "]] [[sim:reply=Never sent.]]", 100, 30_000)
                    .getBytes(StandardCharsets.UTF_8);
            try (RawHttp connection = RawHttp.connect(app)) {
                connection.head("POST /v1/chat/stream HTTP/1.1", "Host: localhost",
                        "Content-Type: application/json", "Accept: text/event-stream", "X-Parley-Caller: " + caller,
                        "Content-Length: " + json.length).send(json);
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

    /** A paced reply of {@code tokens} tokens, 50 ms apart, that holds the one permit while it streams. */
    private CompletableFuture<StreamReply> holdThePermit(String caller, String id, int tokens) {
        SseTestClient sse = client(caller, null);
        CompletableFuture<StreamReply> reply = CompletableFuture.supplyAsync(() -> sse
                .stream(body("[[sim:id=" + id + "]] [[sim:tokens=" + tokens + "]] [[sim:delay=50ms]]", 200, 60_000)));
        await().atMost(Duration.ofSeconds(10)).until(() -> sse.simulatorCounter(id, "streamsStarted") == 1);
        return reply;
    }

    /**
     * The turn's three debug lines (admitted, started, ended) were written on one event-loop thread: the one of the
     * request's context, the only thread that touches the turn's state. (The lines also name the Vert.x context, which
     * is not compared: the upstream client delivers its events on a context of its own, on the same thread.)
     */
    private void assertRanOnOneEventLoop(String requestId) {
        await().atMost(Duration.ofSeconds(5)).until(() -> linesOf(requestId).stream()
                .anyMatch(line -> line.message().startsWith("turn ended")));
        List<LogCapture.Line> lines = linesOf(requestId);
        assertThat(lines).extracting(line -> line.message().split(" ")[1]).containsExactly("admitted", "started",
                "ended");
        assertThat(lines.getFirst().thread()).startsWith(EVENT_LOOP);
        assertThat(lines).extracting(LogCapture.Line::thread).containsOnly(lines.getFirst().thread());
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
