package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.harness.Metrics;

/**
 * The memory store's bound under load: 100 resumable turns at once, each of whose clients hangs up after its first
 * text. While they run the kept events stay within 100 times the per-turn bound, every turn ends by itself (complete,
 * as nobody stopped it within the grace), and once the retention has passed nothing is kept.
 */
@QuarkusTest
@TestProfile(ResumableStreamBoundsTest.SmallBound.class)
class ResumableStreamBoundsTest {

    private static final int TURNS = 100;
    private static final long MAX_BYTES = 16 * 1024;

    /** A small per-turn bound some turns outgrow, a short retention, patient upstream timeouts. */
    public static class SmallBound implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.streams.max-bytes", Long.toString(MAX_BYTES),
                    "parley.streams.retention", "12s",
                    "parley.streams.resume-grace", "30s",
                    "parley.anthropic.first-byte-timeout", "20s",
                    "parley.anthropic.first-content-timeout", "20s",
                    "parley.anthropic.idle-timeout", "20s");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Test
    void aHundredResumableTurnsKeepNoMoreThanTheirBoundAndNothingAfterTheRetention() throws Exception {
        SseTestClient client = new SseTestClient(base);
        String run = UUID.randomUUID().toString();
        List<CompletableFuture<String>> turnIds = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(TURNS)) {
            for (int i = 0; i < TURNS; i++) {
                // Every fourth turn is long enough (~24 KB of frames) to outgrow the 16 KB bound.
                int tokens = i % 4 == 0 ? 600 : 60;
                String body = SseTestClient.json(Map.of("message", "[[sim:id=bound-" + run + "-" + i
                        + "]] [[sim:tokens=" + tokens + "]] [[sim:delay=2ms]] Go", "maxTokens", 1000,
                        "resumable", true));
                turnIds.add(CompletableFuture.supplyAsync(() -> {
                    List<Frame> frames = client.streamAndHangUp(body, frame -> "text".equals(frame.event()));
                    return frames.getFirst().data().path("turnId").asText();
                }, clients));
            }
            CompletableFuture.allOf(turnIds.toArray(CompletableFuture[]::new)).get();
        }

        // Each turn runs to its end without its client (each well within the 30 s grace).
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, Double> metrics = metrics();
            assertThat(metrics.get("parley_streams_kept_bytes")).isLessThanOrEqualTo((double) TURNS * MAX_BYTES);
            long ended = 0;
            for (CompletableFuture<String> turnId : turnIds) {
                // After an id past its end: 204 once the turn ended, 410 once it outgrew its bound (quick either way).
                int status = client.resume(turnId.get(), "1000000").status();
                ended += status == 204 || status == 410 ? 1 : 0;
            }
            assertThat(ended).isEqualTo(TURNS);
        });
        long outgrown = 0;
        for (CompletableFuture<String> turnId : turnIds) {
            SseTestClient.StreamReply all = client.resume(turnId.get(), "0");
            if (all.status() == 410) {
                outgrown++;
            } else {
                assertThat(all.last().event()).isEqualTo("done");
            }
        }
        assertThat(outgrown).as("turns that outgrew the bound").isEqualTo(TURNS / 4);

        // Once the retention passed, nothing is kept.
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            assertThat(metrics().get("parley_streams_kept_turns")).isZero();
            assertThat(metrics().get("parley_streams_kept_bytes")).isZero();
        });
        assertThat(client.resume(turnIds.getFirst().get(), "0").status()).isEqualTo(404);
    }

    private static Map<String, Double> metrics() {
        return Metrics.samples(given().get("/q/metrics").asString());
    }
}
