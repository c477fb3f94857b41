package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;

/**
 * The packaged relay stopped as Kubernetes stops a pod (SIGTERM) while it streams a long reply: readiness goes DOWN
 * at once, new chats get our 503, the running stream goes on for the grace period and then ends with an
 * {@code error} event carrying its usage, and the process exits soon after.
 */
@PackagedJar
class GracefulShutdownIT {

    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One SSE event and when it arrived. */
    record Frame(String event, JsonNode data, long atNanos) {
    }

    @Test
    void drainsRunningStreamsAndRefusesNewChatsOnSigterm() throws Exception {
        try (ParleyProcess upstream = ParleyProcess.simulator();
                ParleyProcess relay = ParleyProcess.start("relay", Map.of(
                        "ANTHROPIC_BASE_URL", upstream.uri() + "/simulator",
                        "ANTHROPIC_API_KEY", "parley-simulator-key",
                        "PARLEY_SHUTDOWN_GRACE_PERIOD", GRACE.toSeconds() + "s",
                        "QUARKUS_SHUTDOWN_DELAY", "1s"))) {
            assertThat(get(relay, "/q/health/ready").statusCode()).isEqualTo(200);
            String id = "drain-" + UUID.randomUUID();
            // 400 tokens, 50 ms apart: 20 s of reply, far longer than the grace period; one streamed, one whole.
            String longReply = "[[sim:tokens=400]] [[sim:delay=50ms]] [[sim:id=" + id;
            CompletableFuture<HttpResponse<String>> whole = http.sendAsync(chat(relay, "/v1/chat",
                    longReply + "-json]]"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<Stream<String>> stream = http.send(chat(relay, "/v1/chat/stream", longReply + "-sse]]"),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);
            Iterator<String> lines = stream.body().iterator();
            assertThat(nextFrame(lines).event()).isEqualTo("start");
            assertThat(nextFrame(lines).event()).isEqualTo("text");
            CompletableFuture<List<Frame>> rest = CompletableFuture.supplyAsync(() -> remainingFrames(lines));
            await().atMost(Duration.ofSeconds(5)).until(() -> counter(upstream, id + "-json", "streamsStarted") == 1);

            long sigtermAt = System.nanoTime();
            relay.sigterm();

            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                HttpResponse<String> ready = get(relay, "/q/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(ready.body()).path("status").asText()).isEqualTo("DOWN");
            });
            HttpResponse<String> live = get(relay, "/q/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("UP");
            for (String path : List.of("/v1/chat/stream", "/v1/chat")) {
                HttpResponse<String> refused = http.send(chat(relay, path, "Hello?"),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as(path).isEqualTo(503);
                assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
                assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
                assertThat(JSON.readTree(refused.body()).path("code").asText()).isEqualTo("server_shutting_down");
            }

            List<Frame> frames = rest.get(GRACE.toSeconds() + 10, TimeUnit.SECONDS);
            Frame last = frames.getLast();
            assertThat(frames.subList(0, frames.size() - 1)).extracting(Frame::event).containsOnly("text");
            // Not cut at SIGTERM: text kept coming well into the grace period, and the end came at its end.
            assertThat(frames).filteredOn(frame -> frame.event().equals("text")
                    && frame.atNanos() - sigtermAt > Duration.ofSeconds(1).toNanos()).isNotEmpty();
            assertThat(Duration.ofNanos(last.atNanos() - sigtermAt)).isGreaterThanOrEqualTo(GRACE.minusMillis(500));
            assertThat(last.event()).isEqualTo("error");
            assertThat(last.data().path("error").path("code").asText()).isEqualTo("server_shutting_down");
            assertThat(last.data().path("error").path("retryable").asBoolean()).isTrue();
            assertThat(last.data().path("usage").path("inputTokens").asLong()).isPositive();
            // The one-shot chat that was running is ended the same way, as a 503 problem with its usage.
            HttpResponse<String> ended = whole.get(5, TimeUnit.SECONDS);
            assertThat(ended.statusCode()).isEqualTo(503);
            JsonNode problem = JSON.readTree(ended.body());
            assertThat(problem.path("code").asText()).isEqualTo("server_shutting_down");
            assertThat(problem.path("usage").path("inputTokens").asLong()).isPositive();

            OptionalInt exit = relay.awaitExit(GRACE.plusSeconds(10).minusNanos(System.nanoTime() - sigtermAt));
            // A JVM ended by SIGTERM exits with 128 + 15.
            assertThat(exit).as("exit code within grace + 10 s").isPresent();
            assertThat(exit.getAsInt()).isIn(0, 143);
            assertThat(relay.output()).filteredOn(line -> line.contains("turn server_shutdown")).hasSize(2);
            // Their rows are in the embedded ledger itself, written during the drain: H2 was not closed under it.
            assertThat(relay.output()).noneMatch(line -> line.contains("usage ledger database unavailable"));
            assertThat(ledgerRows(relay, "server_shutdown")).isEqualTo(2);
            // Ending a turn closed its upstream request.
            for (String turn : List.of(id + "-sse", id + "-json")) {
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> counter(upstream, turn, "streamsAbandoned") == 1);
            }
        }
    }

    /** Rows of the outcome in the stopped process's embedded ledger, read from its file. */
    private static int ledgerRows(ParleyProcess stopped, String outcome) throws SQLException {
        String url = "jdbc:h2:file:" + stopped.data().toAbsolutePath().resolve("ledger") + ";MODE=PostgreSQL";
        try (Connection connection = DriverManager.getConnection(url);
                PreparedStatement count = connection.prepareStatement(
                        "SELECT COUNT(*) FROM usage_ledger WHERE outcome = ?")) {
            count.setString(1, outcome);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private HttpRequest chat(ParleyProcess relay, String path, String message) {
        return HttpRequest.newBuilder(relay.uri().resolve(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"" + message + "\"}")).build();
    }

    private HttpResponse<String> get(ParleyProcess process, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(process.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private long counter(ParleyProcess simulator, String id, String name) throws IOException, InterruptedException {
        return JSON.readTree(get(simulator, "/simulator/admin/counters?id=" + id).body()).path(name).asLong();
    }

    private static List<Frame> remainingFrames(Iterator<String> lines) {
        List<Frame> frames = new ArrayList<>();
        for (Frame frame = nextFrame(lines); frame != null; frame = nextFrame(lines)) {
            frames.add(frame);
        }
        return frames;
    }

    /** The next event (comments skipped), or null at the end of the stream. */
    private static Frame nextFrame(Iterator<String> lines) {
        String event = null;
        String data = null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = line.substring(6);
            } else if (line.isEmpty() && event != null) {
                try {
                    return new Frame(event, JSON.readTree(data), System.nanoTime());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return null;
    }
}
