package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.Metrics;

/**
 * Resumable turns on one replica (events kept in memory): a client that hangs up reads the rest with
 * {@code Last-Event-ID}, from any position, exactly once, while or after the turn runs; its caller can stop it; a turn
 * nobody comes back for is stopped after the resume grace, with its usage recorded; no one else can see it.
 */
@QuarkusTest
@TestProfile(ResumableStreamTest.ShortGrace.class)
class ResumableStreamTest {

    /** Callers named by a gateway header; a short grace, and a retention long enough to read a turn from every position but short enough to await its end. */
    public static class ShortGrace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.auth.mode", "gateway",
                    "parley.streams.resume-grace", "2s",
                    "parley.streams.retention", "20s",
                    "parley.streams.max-events", "400",
                    // About streams, not a slow upstream: a loaded machine's first byte can take longer than 1 s.
                    "parley.anthropic.first-byte-timeout", "10s",
                    "parley.anthropic.first-content-timeout", "10s",
                    "parley.anthropic.idle-timeout", "10s");
        }
    }

    @TestHTTPResource("/")
    URI base;

    private SseTestClient as(String caller) {
        return new SseTestClient(base, Map.of("X-Parley-Caller", caller));
    }

    private static String resumable(String id, int tokens) {
        return resumable(id, tokens, 5);
    }

    /** A resumable turn of {@code tokens} text events, {@code delayMs} apart. */
    private static String resumable(String id, int tokens, int delayMs) {
        return SseTestClient.json(Map.of("message", "[[sim:id=" + id + "]] [[sim:tokens=" + tokens
                + "]] [[sim:delay=" + delayMs + "ms]] Tell me a story", "maxTokens", 1000, "resumable", true));
    }

    @Test
    void everyStreamStartsWithTheTurnsIdAndWhetherItIsResumable() {
        SseTestClient client = as("starter");
        StreamReply plain = client.stream(SseTestClient.json(Map.of("message", "Hi")));
        Frame start = plain.frames().getFirst();
        assertThat(start.event()).isEqualTo("start");
        assertThat(start.id()).isEqualTo("1");
        assertThat(start.data().path("turnId").asText()).isEqualTo(plain.header("X-Turn-Id"))
                .isEqualTo(plain.last().data().path("turnId").asText());
        assertThat(start.data().path("resumable").asBoolean()).isFalse();
        assertThat(plain.events().getFirst().id()).isEqualTo("2");

        StreamReply kept = client.stream(resumable("start-" + UUID.randomUUID(), 5));
        assertThat(kept.start().data().path("resumable").asBoolean()).isTrue();
        // A turn that was not resumable cannot be resumed.
        assertThat(client.resume(plain.header("X-Turn-Id"), "0").status()).isEqualTo(404);
    }

    @Test
    void aClientThatHungUpReadsTheRestFromAnyPositionExactlyOnce() throws Exception {
        SseTestClient client = as("hanger-" + UUID.randomUUID());
        String id = "resume-" + UUID.randomUUID();
        List<Frame> before = client.streamAndHangUp(resumable(id, 120), frame -> "text".equals(frame.event())
                && Long.parseLong(frame.id()) >= 6);
        String turnId = before.getFirst().data().path("turnId").asText();
        String lastSeen = before.getLast().id();

        StreamReply rest = client.resume(turnId, lastSeen);

        assertThat(rest.status()).isEqualTo(200);
        assertThat(rest.header("Content-Type")).startsWith("text/event-stream");
        assertThat(rest.frames().stream().filter(frame -> !frame.isComment()).findFirst().orElseThrow().id())
                .isEqualTo(Long.toString(Long.parseLong(lastSeen) + 1));
        assertThat(rest.last().event()).isEqualTo("done");
        // The upstream stream was never cut: one call, completed.
        assertThat(client.simulatorCounter(id, "streamsStarted")).isEqualTo(1);
        assertThat(client.simulatorCounter(id, "streamsCompleted")).isEqualTo(1);

        // From every position, the same events: each id once, in order, none missing.
        List<Frame> all = client.resume(turnId, null).frames().stream().filter(frame -> !frame.isComment())
                .toList();
        assertThat(all.getFirst().event()).isEqualTo("start");
        assertThat(all.getLast().event()).isEqualTo("done");
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).id()).isEqualTo(Integer.toString(i + 1));
        }
        assertThat(text(before) + rest.text()).isEqualTo(text(all));
        for (int after = 0; after < all.size(); after++) {
            List<Frame> from = client.resume(turnId, Integer.toString(after)).frames().stream()
                    .filter(frame -> !frame.isComment()).toList();
            assertThat(from.stream().map(Frame::id).toList()).as("after " + after)
                    .isEqualTo(all.subList(after, all.size()).stream().map(Frame::id).toList());
        }
        assertThat(Metrics.samples(given().get("/q/metrics").asString()))
                .containsKey("parley_streams_resumes_total{answer=\"streamed\"}");
        // After done there is nothing left: 204, which tells an EventSource to stop reconnecting.
        assertThat(client.resume(turnId, all.getLast().id()).status()).isEqualTo(204);
        assertThat(client.resume(turnId, "not-a-number").status()).isEqualTo(400);
    }

    @Test
    void aResumeRacingTheLiveStreamGetsTheSameEvents() throws Exception {
        SseTestClient client = as("racer-" + UUID.randomUUID());
        String id = "race-" + UUID.randomUUID();
        CompletableFuture<String> turnIdSeen = new CompletableFuture<>();
        CompletableFuture<StreamReply> live = CompletableFuture.supplyAsync(() -> client.stream(resumable(id, 150),
                frame -> {
                    if ("start".equals(frame.event())) {
                        turnIdSeen.complete(frame.data().path("turnId").asText());
                    }
                    return false;
                }));
        String turnId = turnIdSeen.get();

        StreamReply resumed = client.resume(turnId, "0");

        StreamReply original = live.get();
        assertThat(resumed.last().event()).isEqualTo("done");
        assertThat(ids(resumed.frames())).isEqualTo(ids(original.frames()));
        assertThat(resumed.text()).isEqualTo(original.text());
    }

    @Test
    void theCallerStopsATurnAtOnceAndItsUsageIsRecorded() throws Exception {
        SseTestClient client = as("stopper-" + UUID.randomUUID());
        String id = "stop-" + UUID.randomUUID();
        CompletableFuture<String> turnIdSeen = new CompletableFuture<>();
        CompletableFuture<Void> textSeen = new CompletableFuture<>();
        CompletableFuture<StreamReply> live = CompletableFuture.supplyAsync(() -> client.stream(resumable(id, 2000),
                frame -> {
                    if ("start".equals(frame.event())) {
                        turnIdSeen.complete(frame.data().path("turnId").asText());
                    } else if ("text".equals(frame.event())) {
                        textSeen.complete(null);
                    }
                    return false;
                }));
        String turnId = turnIdSeen.get();
        textSeen.get();

        assertThat(as("someone-else").stop(turnId)).isEqualTo(404);
        assertThat(client.stop(turnId)).isEqualTo(204);

        StreamReply stopped = live.get();
        assertThat(stopped.last().event()).isEqualTo("error");
        assertThat(stopped.last().data().path("error").path("code").asText()).isEqualTo("turn_stopped");
        assertThat(stopped.last().data().path("usage").path("outputTokens").asLong()).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.simulatorCounter(id, "streamsAbandoned") == 1);
        assertThat(client.simulatorCounter(id, "streamsCompleted")).isZero();
        assertLedgerHolds(client, stopped.last());
        // Stopping an ended turn changes nothing.
        assertThat(client.stop(turnId)).isEqualTo(204);
        assertThat(client.stop(UUID.randomUUID().toString())).isEqualTo(404);
    }

    @Test
    void aTurnNobodyComesBackForIsStoppedAfterTheGraceWithItsUsageRecorded() throws Exception {
        SseTestClient client = as("leaver-" + UUID.randomUUID());
        String id = "grace-" + UUID.randomUUID();
        // Long enough to outlast the 2 s grace: 2000 tokens, 5 ms apart.
        List<Frame> before = client.streamAndHangUp(resumable(id, 2000), frame -> "text".equals(frame.event()));
        String turnId = before.getFirst().data().path("turnId").asText();

        await().atMost(Duration.ofSeconds(15)).until(() -> client.simulatorCounter(id, "streamsAbandoned") == 1);
        assertThat(client.simulatorCounter(id, "streamsCompleted")).isZero();
        StreamReply rest = client.resume(turnId, before.getLast().id());
        assertThat(rest.last().event()).isEqualTo("error");
        assertThat(rest.last().data().path("error").path("code").asText()).isEqualTo("client_gone");
        assertThat(rest.last().data().path("usage").path("outputTokens").asLong()).isPositive();
        assertLedgerHolds(client, rest.last());
        // Its events are kept for the retention after the end, then gone.
        await().atMost(Duration.ofSeconds(45)).until(() -> client.resume(turnId, "0").status() == 404);
    }

    @Test
    void aClientThatComesBackWithinTheGraceKeepsTheTurnRunning() {
        SseTestClient client = as("returner-" + UUID.randomUUID());
        String id = "return-" + UUID.randomUUID();
        // About 4.5 s of reply (within the profile's 400 kept events): longer than the 2 s grace, so only the resume
        // keeps it going.
        List<Frame> before = client.streamAndHangUp(resumable(id, 300, 15), frame -> "text".equals(frame.event()));
        String turnId = before.getFirst().data().path("turnId").asText();

        StreamReply rest = client.resume(turnId, before.getLast().id());

        assertThat(rest.last().event()).as(rest.body()).isEqualTo("done");
        assertThat(client.simulatorCounter(id, "streamsCompleted")).isEqualTo(1);
    }

    @Test
    void noOtherCallerCanSeeOrStopATurn() {
        SseTestClient owner = as("owner-" + UUID.randomUUID());
        StreamReply reply = owner.stream(resumable("own-" + UUID.randomUUID(), 5));
        String turnId = reply.header("X-Turn-Id");

        StreamReply foreign = as("intruder").resume(turnId, "0");

        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.body()).contains("turn_not_found");
        assertThat(as("intruder").stop(turnId)).isEqualTo(404);
        assertThat(owner.resume(turnId, "0").status()).isEqualTo(200);
    }

    @Test
    void aTurnThatOutgrowsItsBoundStopsBeingResumableButStreamsOn() {
        SseTestClient client = as("long-" + UUID.randomUUID());
        // More events than the profile's 400.
        StreamReply reply = client.stream(resumable("bound-" + UUID.randomUUID(), 600));

        assertThat(reply.last().event()).isEqualTo("done");
        StreamReply resume = client.resume(reply.header("X-Turn-Id"), "0");
        assertThat(resume.status()).isEqualTo(410);
        assertThat(resume.body()).contains("turn_not_resumable");
    }

    @Test
    void theOneShotEndpointRefusesAResumableTurn() {
        given().header("X-Parley-Caller", "whole").contentType("application/json")
                .body(SseTestClient.json(Map.of("message", "Hi", "resumable", true)))
                .when().post("/v1/chat")
                .then().statusCode(400).body("code", equalTo("invalid_request"));
    }

    /** The caller's only turn is in the usage ledger with the usage its last event reported. */
    private static void assertLedgerHolds(SseTestClient client, Frame last) {
        long output = last.data().path("usage").path("outputTokens").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.getJson("/v1/usage?groupBy=caller").path("total")
                .path("turns").asLong() == 1);
        assertThat(client.getJson("/v1/usage?groupBy=caller").path("total").path("outputTokens").asLong())
                .isEqualTo(output);
    }

    private static List<String> ids(List<Frame> frames) {
        return frames.stream().filter(frame -> !frame.isComment()).map(Frame::id).toList();
    }

    private static String text(List<Frame> frames) {
        StringBuilder text = new StringBuilder();
        frames.stream().filter(frame -> "text".equals(frame.event()))
                .forEach(frame -> text.append(frame.data().path("text").asText()));
        return text.toString();
    }
}
