package dev.parley.simulator;

import static dev.parley.simulator.SimulatorHttp.names;
import static dev.parley.simulator.SimulatorHttp.request;
import static dev.parley.simulator.SimulatorHttp.streaming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.simulator.SimulatorHttp.Reply;
import dev.parley.simulator.SimulatorHttp.SseEvent;

/** Every injected fault, as a client sees it, and the counters that tell a test what the simulator saw. */
@QuarkusTest
class SimulatorFaultTest {

    private static final String MODEL = "claude-sonnet-4-6";

    @TestHTTPResource("/simulator")
    URI simulator;

    private SimulatorHttp http;
    private String id;

    @BeforeEach
    void client() {
        http = new SimulatorHttp(simulator);
        id = UUID.randomUUID().toString();
    }

    @Test
    void rateLimitFaultIs429WithRetryAfter() {
        Reply reply = post("[[sim:fault=429 retry-after=7]]");
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.header("retry-after")).isEqualTo("7");
        assertThat(reply.json().path("error").path("type").asText()).isEqualTo("rate_limit_error");
        assertThat(reply.json().path("request_id").asText()).isEqualTo(reply.header("request-id"));
    }

    @Test
    void overloadTimeoutAndServerErrorFaultsCarryTheirErrorTypes() {
        assertThat(postAsNewId("[[sim:fault=529]]").json().path("error").toString())
                .isEqualTo("{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}");
        assertThat(postAsNewId("[[sim:fault=500]]").json().path("error").path("type").asText()).isEqualTo("api_error");
        assertThat(postAsNewId("[[sim:fault=504]]").json().path("error").path("type").asText())
                .isEqualTo("timeout_error");
        Reply reply = postAsNewId("[[sim:fault=503 should-retry=false retry-after-ms=250 message=Try_later]]");
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.header("x-should-retry")).isEqualTo("false");
        assertThat(reply.header("retry-after-ms")).isEqualTo("250");
        assertThat(reply.json().path("error").path("message").asText()).isEqualTo("Try later");
    }

    @Test
    void scheduledFaultsFailTheFirstAttemptsOfOneIdOnly() {
        String directives = "[[sim:id=" + id + "]] [[sim:fault=429 retry-after=1]] [[sim:fault=529 times=2]]";
        assertThat(post(directives).status()).isEqualTo(429);
        assertThat(http.post("/v1/messages", request(MODEL, 100, "Another test [[sim:id=" + UUID.randomUUID() + "]]"))
                .status()).isEqualTo(200);
        assertThat(post(directives).status()).isEqualTo(529);
        assertThat(post(directives).status()).isEqualTo(529);
        assertThat(post(directives).status()).isEqualTo(200);
        assertThat(http.counters(id).path("requests").asLong()).isEqualTo(4);
    }

    @Test
    void alwaysFaultNeverLetsARequestThrough() {
        String directives = "[[sim:id=" + id + "]] [[sim:fault=529 times=always]]";
        for (int i = 0; i < 3; i++) {
            assertThat(post(directives).status()).isEqualTo(529);
        }
    }

    @Test
    void errorEventRightAfterMessageStartEndsTheStream() {
        List<SseEvent> events = stream("[[sim:fault=error-event after=0]]");
        assertThat(names(events)).containsExactly("message_start", "error");
        JsonNode error = events.get(1).data();
        assertThat(error.path("error").path("type").asText()).isEqualTo("overloaded_error");
        assertThat(error.path("error").path("message").asText()).isEqualTo("Overloaded");
        assertThat(error.path("request_id").asText()).startsWith("req_");
    }

    @Test
    void errorEventAfterNDeltasFollowsThoseDeltas() {
        List<SseEvent> events = stream("[[sim:tokens=10]] [[sim:fault=error-event after=3 type=api_error]]");
        assertThat(names(events)).containsExactly("message_start", "content_block_start", "ping",
                "content_block_delta", "content_block_delta", "content_block_delta", "error");
        assertThat(events.getLast().data().path("error").path("type").asText()).isEqualTo("api_error");
        assertThat(http.counters(id).path("streamsFailed").asLong()).isEqualTo(1);
    }

    @Test
    void droppedConnectionCutsTheStreamAfterNDeltas() {
        assertThatThrownBy(() -> stream("[[sim:tokens=10]] [[sim:fault=drop after=4]]"))
                .isInstanceOf(UncheckedIOException.class);
        assertThat(http.counters(id).path("streamsFailed").asLong()).isEqualTo(1);
        assertThat(http.counters(id).path("streamsCompleted").asLong()).isZero();
    }

    @Test
    void stallBeforeHeadersDelaysTheResponse() {
        long start = System.nanoTime();
        Reply reply = post("[[sim:fault=stall-headers ms=400]]");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void stallBetweenDeltasIsSilentWithoutPings() {
        long start = System.nanoTime();
        List<SseEvent> events = stream("[[sim:tokens=4]] [[sim:ping=50ms]] [[sim:fault=stall after=2 ms=400]]");
        List<SseEvent> deltas = events.stream().filter(e -> e.event().equals("content_block_delta")).toList();
        // Lower bounds from the start hold however late the reader sees an event.
        assertThat(Duration.ofNanos(deltas.get(2).atNanos() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(names(events).stream().filter("ping"::equals).count()).as("only the ping after the first block")
                .isEqualTo(1);
    }

    @Test
    void globalFaultQueueAppliesToTheNextAttemptsOfAnyRequest() {
        // Queued faults reach whichever request comes next; tests within one JVM run one at a time.
        Reply queued = http.post("/admin/faults", "{\"fault\":\"529 times=1\"}", Map.of());
        assertThat(queued.status()).isEqualTo(204);
        assertThat(http.get("/admin/faults", Map.of()).body()).contains("HTTP");
        assertThat(post("").status()).isEqualTo(529);
        assertThat(post("").status()).isEqualTo(200);
    }

    @Test
    void clientThatGoesAwayIsCountedAsAbandonedWithinASecond() throws Exception {
        String body = streaming(request(MODEL, 100, "[[sim:id=" + id + "]] [[sim:tokens=50]] [[sim:delay=100ms]]"))
                .toString();
        try (Socket socket = new Socket(simulator.getHost(), simulator.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /simulator/v1/messages HTTP/1.1\r\nHost: localhost\r\n"
                    + "x-api-key: parley-simulator-key\r\nanthropic-version: 2023-06-01\r\n"
                    + "content-type: application/json\r\ncontent-length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.contains("content_block_delta")) {
                // read until the first token has arrived
            }
            assertThat(http.counters(id).path("streamsAbandoned").asLong()).isZero();
        }
        await().atMost(Duration.ofSeconds(1))
                .until(() -> http.counters(id).path("streamsAbandoned").asLong() == 1);
        assertThat(http.counters(id).path("streamsCompleted").asLong()).isZero();
    }

    @Test
    void nonStreamingErrorEventFaultBecomesTheMatchingHttpError() {
        Reply reply = post("[[sim:fault=error-event after=2]]");
        assertThat(reply.status()).isEqualTo(529);
        assertThat(reply.json().path("error").path("type").asText()).isEqualTo("overloaded_error");
    }

    private Reply post(String directives) {
        return http.post("/v1/messages", request(MODEL, 100, "Hi [[sim:id=" + id + "]] " + directives));
    }

    /** Fault schedules count attempts per id: a different schedule needs an id of its own. */
    private Reply postAsNewId(String directives) {
        id = UUID.randomUUID().toString();
        return post(directives);
    }

    private List<SseEvent> stream(String directives) {
        return http.stream(streaming(request(MODEL, 100, "Hi [[sim:id=" + id + "]] " + directives)));
    }
}
