package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.harness.LedgerRows;
import dev.parley.harness.Metrics;

/**
 * A client that reads slowly costs parley a bounded buffer, not the reply: once the client's write queue is full the
 * turn's upstream read is held (the simulator's stream stalls on its own write queue behind it), and it resumes when
 * the client catches up. A client that reads nothing for {@code parley.api.max-pause} has its turn ended.
 */
@QuarkusTest
@TestProfile(SlowReaderTest.SmallWriteQueue.class)
class SlowReaderTest {

    /** A small write queue, a max pause the slow phase stays under, and an assistant allowed long replies. */
    public static class SmallWriteQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "parley.api.write-queue-bytes", String.valueOf(WRITE_QUEUE),
                    "parley.api.max-pause", "6s",
                    // Past the max pause, so a stalled front-door client is ended by that first.
                    "parley.front-door.deadline", "15s",
                    // These tests are about slow clients, not a slow upstream: a loaded machine's first byte can
                    // take longer than the test profile's 1 s, and a retried stream would end another way.
                    "parley.anthropic.first-byte-timeout", "10s",
                    // Fixed socket buffers, so the kernel cannot absorb the whole reply (SmallSocketBuffers).
                    "parley.anthropic.stream-receive-buffer-bytes", "65536",
                    "parley.test.small-socket-buffers", "true",
                    "parley.assistants.long.model", "claude-sonnet-4-6",
                    "parley.assistants.long.system-prompt", "You write at length.",
                    "parley.assistants.long.max-tokens", String.valueOf(TOKENS));
        }
    }

    private static final int WRITE_QUEUE = 16 * 1024;
    /**
     * The reply: 60,000 deltas of a token each, about 4 MB as parley's frames and 8 MB as the upstream's: many times
     * what the sockets' buffers hold in this profile (the client's 4 KB, the server's send buffers of 16 KB, parley's
     * upstream receive buffer of 64 KB; Linux doubles each) and the simulator's write queue.
     */
    private static final int TOKENS = 60_000;
    /**
     * What parley may hold for one paused stream: its write queue just short of full, plus the batch that fills it (a
     * batch is written once it reaches the queue's size, so at most that and one frame more).
     */
    private static final long BOUND_BYTES = 2 * WRITE_QUEUE + 4096;

    @TestHTTPResource("/")
    URI app;

    @Inject
    @DataSource("ledger-h2")
    AgroalDataSource ledger;

    @Test
    void aSlowReaderPausesTheUpstreamWithinABoundedBufferAndTheTurnCompletesWhenItCatchesUp() throws Exception {
        String id = UUID.randomUUID().toString();
        String requestId = "slow-" + id;
        try (Socket socket = slowSocket()) {
            send(socket, requestId, id);
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            // A few bytes a second: the reply backs up behind the client.
            long maxQueued = 0;
            for (int i = 0; i < 24; i++) {
                head.append(new String(in.readNBytes(16), StandardCharsets.ISO_8859_1));
                Thread.sleep(125); // the client's reading pace, not a wait for the server
                maxQueued = Math.max(maxQueued, (long) metric("parley_streams_queued_bytes"));
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200");
            await().atMost(Duration.ofSeconds(5)).until(() -> metric("parley_streams_paused") == 1.0);
            assertThat(metric("parley_upstream_streams_active")).isEqualTo(1.0);
            // The upstream's stream is held too: the simulator has not been able to finish writing it.
            assertThat(simulatorCounter(id, "streamsCompleted")).isZero();
            assertThat(maxQueued).as("bytes parley queued for the paused stream").isPositive()
                    .isLessThanOrEqualTo(BOUND_BYTES);

            // The client catches up: the rest of the reply comes, and the turn completes.
            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String reply = head + rest;
            assertThat(count(reply, "event: text\n")).isEqualTo(TOKENS);
            assertThat(reply).contains("event: done").doesNotContain("event: error");
        }
        assertThat(simulatorCounter(id, "streamsCompleted")).isEqualTo(1);
        Map<String, Object> row = await().atMost(Duration.ofSeconds(10))
                .until(() -> LedgerRows.byRequestId(ledger, requestId), Optional::isPresent).orElseThrow();
        assertThat(row.get("outcome")).isEqualTo("ok");
        assertThat(metric("parley_streams_paused")).isEqualTo(0.0);
    }

    @Test
    void aClientThatReadsNothingHasItsTurnEndedAfterTheMaxPause() throws Exception {
        String id = UUID.randomUUID().toString();
        String requestId = "stalled-" + id;
        try (Socket socket = slowSocket()) {
            send(socket, requestId, id);
            // Nothing is read: after the max pause the turn ends and lets its upstream call go.
            Map<String, Object> row = await().atMost(Duration.ofSeconds(20))
                    .until(() -> LedgerRows.byRequestId(ledger, requestId), Optional::isPresent).orElseThrow();
            assertThat(row.get("outcome")).isEqualTo("client_too_slow");
            await().atMost(Duration.ofSeconds(5)).until(() -> simulatorCounter(id, "streamsAbandoned") == 1);
            assertThat(simulatorCounter(id, "streamsCompleted")).isZero();
            assertThat(metric("parley_streams_paused")).isEqualTo(0.0);
            assertThat(metric("parley_upstream_streams_active")).isEqualTo(0.0);
        }
    }

    @Test
    void aFrontDoorStreamWhoseClientReadsNothingEndsAfterTheMaxPause() throws Exception {
        String id = UUID.randomUUID().toString();
        String requestId = "stalled-door-" + id;
        byte[] body = ("{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":" + TOKENS + ",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"[[sim:id=" + id + "]] [[sim:tokens=" + TOKENS
                + "]] [[sim:delay=0ms]] Write at length.\"}]}").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = slowSocket()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "anthropic-version: 2023-06-01\r\nX-Request-Id: " + requestId + "\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            // Nothing is read: after the max pause the stream ends and lets its upstream call go.
            Map<String, Object> row = await().atMost(Duration.ofSeconds(20))
                    .until(() -> LedgerRows.byRequestId(ledger, requestId), Optional::isPresent).orElseThrow();
            assertThat(row).containsEntry("outcome", "client_too_slow").containsEntry("assistant", "front-door")
                    .containsEntry("output_tokens_final", false);
            // Every upstream stream let go: on a loaded machine the reply's first byte can take longer than the test
            // profile's first-byte limit, and parley's retries are streams of their own.
            await().atMost(Duration.ofSeconds(10)).until(() -> simulatorCounter(id, "streamsAbandoned") >= 1
                    && simulatorCounter(id, "streamsAbandoned") == simulatorCounter(id, "requests"));
            assertThat(simulatorCounter(id, "streamsCompleted")).isZero();
            assertThat(metric("parley_upstream_streams_active")).isEqualTo(0.0);
        }
    }

    @Test
    void aFrontDoorStreamStillRunningAtItsDeadlineEndsWithATimeoutErrorEvent() throws Exception {
        String id = UUID.randomUUID().toString();
        String requestId = "late-door-" + id;
        // 400 tokens 50 ms apart: 20 s, past the deadline of 15 s.
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":1000,\"stream\":true,\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"[[sim:id=" + id
                + "]] [[sim:tokens=400]] [[sim:delay=50ms]] Hi\"}]}";

        String stream = given().contentType("application/json").header("anthropic-version", "2023-06-01")
                .header("X-Request-Id", requestId).body(body).post(app.resolve("/anthropic/v1/messages")).then()
                .statusCode(200).extract().asString();

        String[] events = stream.split("\n\n");
        assertThat(events[events.length - 1]).startsWith("event: error\ndata: {\"type\":\"error\",\"error\":"
                + "{\"type\":\"timeout_error\"");
        assertThat(stream).contains("event: content_block_delta").doesNotContain("event: message_stop");
        Map<String, Object> row = await().atMost(Duration.ofSeconds(10))
                .until(() -> LedgerRows.byRequestId(ledger, requestId), Optional::isPresent).orElseThrow();
        assertThat(row).containsEntry("outcome", "upstream_error").containsEntry("output_tokens_final", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> simulatorCounter(id, "streamsAbandoned") >= 1
                && simulatorCounter(id, "streamsAbandoned") == simulatorCounter(id, "requests"));
    }

    /** A connection with a small receive buffer, set before connecting so the window is small from the start. */
    private Socket slowSocket() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(app.getHost(), app.getPort()), 5000);
        socket.setSoTimeout(60_000);
        return socket;
    }

    private static void send(Socket socket, String requestId, String id) throws IOException {
        byte[] body = SseTestClient.json(Map.of("assistant", "long", "maxTokens", TOKENS, "message",
                "[[sim:id=" + id + "]] [[sim:tokens=" + TOKENS + "]] [[sim:delay=0ms]] Write at length."))
                .getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/stream HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Accept: text/event-stream\r\nX-Request-Id: " + requestId + "\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private double metric(String name) {
        return Metrics.samples(given().get(app.resolve("/q/metrics")).asString()).getOrDefault(name, -1.0);
    }

    private long simulatorCounter(String id, String counter) {
        return given().get(app.resolve("/simulator/admin/counters?id=" + id)).jsonPath().getLong(counter);
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
