package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;

/**
 * Resumable turns across two packaged replicas sharing one Redis (127.0.0.1:6379, under a key prefix of this run's
 * own) and one simulator, whose counters see every upstream call of both: a turn started on A is resumed on B from
 * where its client left, exactly once per event, with one upstream call; a resume may race A's live stream; B stops a
 * turn that runs on A, whose usage lands in A's ledger; a reader on B keeps A's turn going past the resume grace, and
 * once it leaves A stops the turn; and a replica that drains hands its client over to B, which serves the rest until
 * the turn ends with its replica; a replica killed mid-turn (no shutdown at all) loses the turn, which its reader on
 * the other learns once the killed replica's lease lapses. An answer to a tool call awaiting approval, given to the
 * other replica, reaches the turn, resumable or not.
 */
@PackagedJar
class ResumableTurnsAcrossReplicasIT {

    private static final Duration RESUME_GRACE = Duration.ofSeconds(3);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Readers block on their streams: one thread each (the common pool may have a single thread here). */
    private static final ExecutorService READERS = Executors.newVirtualThreadPerTaskExecutor();

    private static ParleyProcess simulator;
    private static ParleyProcess a;
    private static ParleyProcess b;
    private static Map<String, String> environment;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One SSE event, and when it arrived. */
    record Event(long id, String event, JsonNode data, long atNanos) {

        String text() {
            return "text".equals(event) ? data.path("text").asText() : "";
        }

        String errorCode() {
            return data.path("error").path("code").asText();
        }
    }

    /**
     * What a stream answered: its status, its events, whether it asked the client to reconnect ({@code retry:}),
     * when it ended, and its body when it was not a stream.
     */
    record Reply(int status, List<Event> events, boolean retry, long endedAtNanos, String body) {

        Event last() {
            return events.getLast();
        }

        String text() {
            return ResumableTurnsAcrossReplicasIT.text(events);
        }

        List<Long> ids() {
            return events.stream().map(Event::id).toList();
        }
    }

    @BeforeAll
    static void startReplicas() {
        simulator = ParleyProcess.simulator();
        environment = new HashMap<>(Map.of(
                "PARLEY_AUTH_MODE", "gateway",
                "ANTHROPIC_BASE_URL", simulator.uri() + "/simulator",
                "ANTHROPIC_API_KEY", "parley-simulator-key",
                "PARLEY_STREAMS_STORE", "redis",
                "PARLEY_REDIS_URL", "redis://127.0.0.1:6379",
                "PARLEY_STREAMS_REDIS_KEY_PREFIX", "parley:it:" + UUID.randomUUID() + ":",
                "PARLEY_STREAMS_RESUME_GRACE", RESUME_GRACE.toSeconds() + "s",
                "PARLEY_SHUTDOWN_GRACE_PERIOD", SHUTDOWN_GRACE.toSeconds() + "s",
                "QUARKUS_SHUTDOWN_DELAY", "1s"));
        // Calls of calculate wait for their caller's approval, which may come to either replica.
        environment.put("PARLEY_TOOLS_NEEDS_APPROVAL", "calculate");
        a = ParleyProcess.start("resume-a", environment);
        b = ParleyProcess.start("resume-b", environment);
        warmUp(a, b);
        warmUp(b, a);
    }

    @AfterAll
    static void stopReplicas() {
        for (ParleyProcess process : new ParleyProcess[]{b, a, simulator}) {
            if (process != null) {
                process.close();
            }
        }
    }

    /**
     * A cold replica's first Redis calls (its first connection, code not yet compiled, on a loaded machine) can outlast
     * the Redis timeout, which makes a turn not resumable: each replica runs a short turn the other resumes first.
     */
    private static void warmUp(ParleyProcess runner, ParleyProcess reader) {
        String caller = "warm-" + UUID.randomUUID();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Reply turn = post(runner, caller, turn("warm-" + UUID.randomUUID(), 3, 1), event -> false);
            if (turn.status() != 200) {
                return false;
            }
            Reply resumed = resume(reader, caller, turnId(turn), "0", event -> false);
            return resumed.status() == 200 && resumed.last().event().equals("done");
        });
    }

    @Test
    void aClientThatHungUpOnOneReplicaReadsTheRestOnTheOtherExactlyOnce() {
        String caller = "hanger-" + UUID.randomUUID();
        String id = "across-" + UUID.randomUUID();
        Reply before = post(a, caller, turn(id, 300, 10), event -> event.event().equals("text") && event.id() >= 6);
        String turnId = turnId(before);
        long lastSeen = before.last().id();

        Reply rest = resume(b, caller, turnId, Long.toString(lastSeen), event -> false);

        assertThat(rest.status()).as(rest.body()).isEqualTo(200);
        assertThat(rest.events().getFirst().id()).isEqualTo(lastSeen + 1);
        assertThat(rest.last().event()).isEqualTo("done");
        assertConsecutive(rest.ids(), lastSeen + 1);
        Reply all = resume(b, caller, turnId, null, event -> false);
        assertThat(all.events().getFirst().event()).isEqualTo("start");
        assertConsecutive(all.ids(), 1);
        assertThat(before.text() + rest.text()).isEqualTo(all.text()).isNotEmpty();
        // After done there is nothing left on either replica.
        assertThat(resume(a, caller, turnId, Long.toString(all.last().id()), event -> false).status()).isEqualTo(204);
        // The upstream stream was never cut: one call through both replicas, completed.
        assertThat(counter(id, "streamsStarted")).isEqualTo(1);
        assertThat(counter(id, "streamsCompleted")).isEqualTo(1);
    }

    @Test
    void aResumeOnOneReplicaRacingTheLiveStreamOnTheOtherGetsTheSameEvents() throws Exception {
        String caller = "racer-" + UUID.randomUUID();
        CompletableFuture<String> turnIdSeen = new CompletableFuture<>();
        CompletableFuture<Reply> live = CompletableFuture.supplyAsync(() -> post(a, caller,
                turn("race-" + UUID.randomUUID(), 300, 10), event -> false, started(turnIdSeen)), READERS);

        Reply resumed = resume(b, caller, turnIdSeen.get(30, TimeUnit.SECONDS), "0", event -> false);

        Reply original = live.get(60, TimeUnit.SECONDS);
        assertThat(original.last().event()).isEqualTo("done");
        assertThat(resumed.last().event()).isEqualTo("done");
        assertThat(resumed.ids()).isEqualTo(original.ids());
        assertThat(resumed.text()).isEqualTo(original.text());
    }

    @Test
    void aStopOnOneReplicaEndsTheTurnRunningOnTheOtherWithItsUsageRecorded() throws Exception {
        String caller = "stopper-" + UUID.randomUUID();
        String id = "stop-" + UUID.randomUUID();
        CompletableFuture<String> turnIdSeen = new CompletableFuture<>();
        CompletableFuture<Event> textSeen = new CompletableFuture<>();
        // 30 s of reply: it only ends because it is stopped.
        CompletableFuture<Reply> live = CompletableFuture.supplyAsync(() -> post(a, caller, turn(id, 3000, 10),
                event -> false, started(turnIdSeen).andThen(event -> {
                    if (event.event().equals("text")) {
                        textSeen.complete(event);
                    }
                })), READERS);
        String turnId = turnIdSeen.get(30, TimeUnit.SECONDS);
        textSeen.get(30, TimeUnit.SECONDS);

        assertThat(delete(b, caller, turnId)).isEqualTo(204);

        Reply stopped = live.get(10, TimeUnit.SECONDS);
        assertThat(stopped.last().event()).isEqualTo("error");
        assertThat(stopped.last().errorCode()).isEqualTo("turn_stopped");
        long output = stopped.last().data().path("usage").path("outputTokens").asLong();
        assertThat(output).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> counter(id, "streamsAbandoned") == 1);
        assertThat(counter(id, "streamsCompleted")).isZero();
        // Recorded by the replica that ran it, with the usage its last event reported: no orphan.
        await().atMost(Duration.ofSeconds(10)).until(() -> usage(a, caller).path("turns").asLong() == 1);
        assertThat(usage(a, caller).path("outputTokens").asLong()).isEqualTo(output);
        // Stopping an ended turn changes nothing, on either replica.
        assertThat(delete(b, caller, turnId)).isEqualTo(204);
        assertThat(delete(a, caller, turnId)).isEqualTo(204);
    }

    @Test
    void anotherCallerFindsNoTurnOnTheOtherReplica() {
        String owner = "owner-" + UUID.randomUUID();
        Reply reply = post(a, owner, turn("own-" + UUID.randomUUID(), 5, 1), event -> false);
        String turnId = turnId(reply);

        Reply foreign = resume(b, "intruder-" + UUID.randomUUID(), turnId, "0", event -> false);

        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.body()).contains("turn_not_found");
        assertThat(delete(b, "intruder-" + UUID.randomUUID(), turnId)).isEqualTo(404);
        assertThat(resume(b, owner, turnId, "0", event -> false).status()).isEqualTo(200);
    }

    @Test
    void aReaderOnTheOtherReplicaKeepsTheTurnGoingPastTheGraceAndOnceItLeavesTheTurnStops() throws Exception {
        String caller = "reader-" + UUID.randomUUID();
        String id = "grace-" + UUID.randomUUID();
        // 30 s of reply: far longer than the grace, twice.
        Reply before = post(a, caller, turn(id, 3000, 10), event -> event.event().equals("text"));
        long leftA = System.nanoTime();
        String turnId = turnId(before);

        // Read on B until well past A's grace for its own client.
        long readFor = RESUME_GRACE.plusSeconds(2).toNanos();
        Reply read = resume(b, caller, turnId, Long.toString(before.last().id()),
                event -> event.atNanos() - leftA > readFor);
        long leftB = System.nanoTime();

        assertThat(read.status()).isEqualTo(200);
        assertThat(read.events()).filteredOn(event -> event.event().equals("text")
                && event.atNanos() - leftA > RESUME_GRACE.plusSeconds(1).toNanos()).isNotEmpty();
        assertThat(counter(id, "streamsAbandoned")).as("still running past the grace").isZero();
        await().atMost(RESUME_GRACE.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> counter(id, "streamsAbandoned") == 1);
        Duration stoppedAfter = Duration.ofNanos(System.nanoTime() - leftB);
        // Stopped by A, once no one read the turn for the grace (B's reader counted as one, until it left).
        assertThat(stoppedAfter).isGreaterThan(RESUME_GRACE.minusSeconds(1)).isLessThan(RESUME_GRACE.plusSeconds(4));
        assertThat(counter(id, "streamsCompleted")).isZero();
        Reply rest = resume(b, caller, turnId, Long.toString(read.last().id()), event -> false);
        assertThat(rest.last().event()).isEqualTo("error");
        assertThat(rest.last().errorCode()).isEqualTo("client_gone");
        assertThat(rest.last().data().path("usage").path("outputTokens").asLong()).isPositive();
    }

    @Test
    void aDrainingReplicaHandsItsClientOverAndTheOtherServesTheRestUntilTheTurnEndsWithItsReplica()
            throws Exception {
        try (ParleyProcess draining = ParleyProcess.start("resume-draining", environment)) {
            warmUp(draining, b);
            String caller = "drained-" + UUID.randomUUID();
            String id = "drain-" + UUID.randomUUID();
            CompletableFuture<Void> textSeen = new CompletableFuture<>();
            // 30 s of reply, far longer than the shutdown's delay and grace together: it ends with its replica.
            CompletableFuture<Reply> live = CompletableFuture.supplyAsync(() -> post(draining, caller,
                    turn(id, 3000, 10), event -> false, event -> {
                        if (event.event().equals("text")) {
                            textSeen.complete(null);
                        }
                    }), READERS);
            textSeen.get(30, TimeUnit.SECONDS);

            long sigtermAt = System.nanoTime();
            draining.sigterm();

            Reply handedOver = live.get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(handedOver.endedAtNanos() - sigtermAt)).isLessThan(Duration.ofSeconds(2));
            assertThat(handedOver.retry()).as("asked to reconnect").isTrue();
            assertThat(handedOver.events()).extracting(Event::event).doesNotContain("done", "error");
            // The draining replica serves no resume: another one does.
            Reply refused = resume(draining, caller, turnId(handedOver), "0", event -> false);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body()).contains("server_shutting_down");
            // Held open for the turn, but out of the load balancer's rotation.
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(draining.uri().resolve("/q/health/ready")) == 503);

            long lastSeen = handedOver.last().id();
            Reply rest = resume(b, caller, turnId(handedOver), Long.toString(lastSeen), event -> false);

            assertThat(rest.status()).as(rest.body()).isEqualTo(200);
            assertConsecutive(rest.ids(), lastSeen + 1);
            // Recorded events, then live ones while the draining replica runs the turn through its grace.
            assertThat(rest.events()).filteredOn(event -> event.event().equals("text")
                    && event.atNanos() - sigtermAt > Duration.ofSeconds(2).toNanos()).isNotEmpty();
            Event last = rest.last();
            assertThat(last.event()).isEqualTo("error");
            assertThat(last.errorCode()).isEqualTo("server_shutting_down");
            assertThat(last.data().path("error").path("retryable").asBoolean()).isTrue();
            assertThat(last.data().path("usage").path("outputTokens").asLong()).isPositive();
            assertThat(Duration.ofNanos(last.atNanos() - sigtermAt)).isGreaterThan(SHUTDOWN_GRACE.minusMillis(500));
            assertThat(counter(id, "streamsCompleted")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> counter(id, "streamsAbandoned") == 1);
            assertThat(draining.awaitExit(Duration.ofSeconds(15))).as("exited").isPresent();
            // (All its output read.) It stopped listening to Redis before closing its client: no warning of a lost
            // subscription.
            assertThat(draining.output()).noneMatch(line -> line.contains("Signals of resumable turns not heard"));
        }
    }

    @Test
    void aReplicaKilledMidTurnLosesItAndAReaderOnTheOtherLearnsSoWithinTheLease() throws Exception {
        try (ParleyProcess killed = ParleyProcess.start("resume-killed", environment)) {
            warmUp(killed, b);
            String caller = "orphaned-" + UUID.randomUUID();
            // 60 s of reply: it only ends because its replica dies.
            Reply before = post(killed, caller, turn("kill-" + UUID.randomUUID(), 6000, 10),
                    event -> event.event().equals("text"));
            String turnId = turnId(before);
            long lastSeen = before.last().id();
            CompletableFuture<Void> following = new CompletableFuture<>();
            CompletableFuture<Reply> reader = CompletableFuture.supplyAsync(() -> resume(b, caller, turnId,
                    Long.toString(lastSeen), event -> false, event -> following.complete(null)), READERS);
            following.get(30, TimeUnit.SECONDS);

            long killedAt = System.nanoTime();
            killed.kill9();

            // No shutdown ran to end the turn: its replica's lease in Redis lapses, and B's reader sees it lost.
            Reply rest = reader.get(40, TimeUnit.SECONDS);
            assertThat(rest.status()).isEqualTo(200);
            assertConsecutive(rest.ids(), lastSeen + 1);
            assertThat(rest.events()).extracting(Event::event).doesNotContain("done", "error");
            assertThat(Duration.ofNanos(rest.endedAtNanos() - killedAt)).as("within the 15 s lease, not at the "
                    + "turn's deadline").isLessThan(Duration.ofSeconds(20));
            Reply again = resume(b, caller, turnId, Long.toString(rest.last().id()), event -> false);
            assertThat(again.status()).isEqualTo(410);
            assertThat(again.body()).contains("turn_not_resumable");
            assertThat(delete(b, caller, turnId)).as("nothing left to stop").isEqualTo(204);
        }
    }

    // ---- the turns

    /** A resumable turn of {@code tokens} text events, {@code delayMs} apart, with the simulator id {@code id}. */
    private static String turn(String id, int tokens, int delayMs) {
        try {
            return JSON.writeValueAsString(Map.of("message", "[[sim:id=" + id + "]] [[sim:tokens=" + tokens
                    + "]] [[sim:delay=" + delayMs + "ms]] Tell me a story", "maxTokens", 4000, "resumable", true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Consumer<Event> started(CompletableFuture<String> turnId) {
        return event -> {
            if (event.event().equals("start")) {
                turnId.complete(event.data().path("turnId").asText());
            }
        };
    }

    private static String turnId(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.events().getFirst().data().path("turnId").asText();
    }

    @Test
    void anApprovalGivenToTheOtherReplicaReachesTheTurnAndOnlyItsCallerMayGiveIt() {
        String caller = "approver-" + UUID.randomUUID();
        List<Integer> answers = new ArrayList<>();
        String[] turnId = new String[1];
        // Not resumable: the answer still goes through Redis to the replica that runs the turn.
        Reply reply = post(a, caller, body(Map.of("message",
                "[[sim:tool=calculate {\"expression\":\"6*7\"}]] Work it out")), event -> false, event -> {
                    if (event.event().equals("start")) {
                        turnId[0] = event.data().path("turnId").asText();
                    } else if (event.event().equals("tool_approval")) {
                        String callId = event.data().path("callId").asText();
                        answers.add(approve(b, "intruder-" + UUID.randomUUID(), turnId[0], callId));
                        answers.add(approve(b, caller, turnId[0], callId));
                        answers.add(approve(a, caller, turnId[0], callId));
                    }
                });

        assertThat(answers).containsExactly(404, 204, 409);
        assertThat(reply.events().stream().map(Event::event).toList()).containsSubsequence("tool_call",
                "tool_approval", "tool_result", "text", "done");
        Event result = reply.events().stream().filter(event -> event.event().equals("tool_result")).findFirst()
                .orElseThrow();
        assertThat(result.data().path("output").asText()).isEqualTo("42");
    }

    private int approve(ParleyProcess replica, String caller, String turnId, String callId) {
        HttpRequest request = HttpRequest.newBuilder(
                replica.uri().resolve("/v1/chat/turns/" + turnId + "/approvals/" + callId))
                .header("X-Parley-Caller", caller).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"decision\":\"approve\"}")).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String body(Map<String, Object> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertConsecutive(List<Long> ids, long first) {
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("event " + i).isEqualTo(first + i);
        }
    }

    private static String text(List<Event> events) {
        StringBuilder text = new StringBuilder();
        events.forEach(event -> text.append(event.text()));
        return text.toString();
    }

    // ---- HTTP: streams through HttpURLConnection, so that hanging up closes the socket there and then

    private static Reply post(ParleyProcess replica, String caller, String body, Predicate<Event> hangUpAfter) {
        return post(replica, caller, body, hangUpAfter, event -> {
        });
    }

    private static Reply post(ParleyProcess replica, String caller, String body, Predicate<Event> hangUpAfter,
            Consumer<Event> seen) {
        return stream(replica.uri().resolve("/v1/chat/stream"), "POST", caller, body, null, hangUpAfter, seen);
    }

    private static Reply resume(ParleyProcess replica, String caller, String turnId, String lastEventId,
            Predicate<Event> hangUpAfter) {
        return resume(replica, caller, turnId, lastEventId, hangUpAfter, event -> {
        });
    }

    private static Reply resume(ParleyProcess replica, String caller, String turnId, String lastEventId,
            Predicate<Event> hangUpAfter, Consumer<Event> seen) {
        return stream(replica.uri().resolve("/v1/chat/turns/" + turnId + "/stream"), "GET", caller, null,
                lastEventId, hangUpAfter, seen);
    }

    /**
     * Reads a stream to its end, or until {@code hangUpAfter} accepts an event, then hangs up. Its own parser: besides
     * events it notes {@code retry:} lines, and skips comments.
     */
    private static Reply stream(URI uri, String method, String caller, String body, String lastEventId,
            Predicate<Event> hangUpAfter, Consumer<Event> seen) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setRequestMethod(method);
            connection.setReadTimeout(60_000);
            connection.setRequestProperty("accept", "text/event-stream");
            connection.setRequestProperty("X-Parley-Caller", caller);
            if (lastEventId != null) {
                connection.setRequestProperty("Last-Event-ID", lastEventId);
            }
            if (body != null) {
                connection.setDoOutput(true);
                connection.setRequestProperty("content-type", "application/json");
                connection.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            }
            try {
                int status = connection.getResponseCode();
                if (status != 200) {
                    InputStream error = connection.getErrorStream();
                    String text = error == null ? "" : new String(error.readAllBytes(), StandardCharsets.UTF_8);
                    return new Reply(status, List.of(), false, System.nanoTime(), text);
                }
                List<Event> events = new ArrayList<>();
                boolean retry = false;
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
                    Map<String, String> fields = new HashMap<>();
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (line.startsWith(":")) {
                            continue;
                        }
                        if (!line.isEmpty()) {
                            int colon = line.indexOf(':');
                            String name = colon < 0 ? line : line.substring(0, colon);
                            String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
                            if (name.equals("retry")) {
                                retry = true;
                            } else {
                                assertThat(fields.put(name, value)).as("one %s line in a frame", name).isNull();
                            }
                            continue;
                        }
                        if (fields.isEmpty()) {
                            continue;
                        }
                        Event event = new Event(Long.parseLong(fields.get("id")), fields.get("event"),
                                JSON.readTree(fields.get("data")), System.nanoTime());
                        fields.clear();
                        events.add(event);
                        seen.accept(event);
                        if (hangUpAfter.test(event)) {
                            break;
                        }
                    }
                }
                return new Reply(status, events, retry, System.nanoTime(), "");
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int delete(ParleyProcess replica, String caller, String turnId) {
        HttpRequest request = HttpRequest.newBuilder(replica.uri().resolve("/v1/chat/turns/" + turnId))
                .header("X-Parley-Caller", caller).DELETE().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int status(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The caller's total in the ledger of {@code replica}. */
    private JsonNode usage(ParleyProcess replica, String caller) {
        return getJson(replica.uri().resolve("/v1/usage?groupBy=caller"), caller).path("total");
    }

    private long counter(String id, String name) {
        return getJson(simulator.uri().resolve("/simulator/admin/counters?id=" + id), null).path(name).asLong();
    }

    private JsonNode getJson(URI uri, String caller) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (caller != null) {
            request.header("X-Parley-Caller", caller);
        }
        try {
            return JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
