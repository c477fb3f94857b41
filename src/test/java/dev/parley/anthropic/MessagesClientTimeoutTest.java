package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A stalled upstream is cut, named and disconnected, never left hanging; a slow but healthy one is left alone. The
 * test profile's limits: first byte 1 s, first content 2 s, idle 1.5 s.
 */
@QuarkusTest
class MessagesClientTimeoutTest {

    private static final Duration FIRST_BYTE = Duration.ofSeconds(1);
    private static final Duration FIRST_CONTENT = Duration.ofSeconds(2);
    private static final Duration IDLE = Duration.ofMillis(1500);
    /** Slack for a limit to fire and the failure to arrive. */
    private static final Duration SLACK = Duration.ofMillis(1500);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Inject
    MessagesClient client;

    @Test
    void stallBeforeHeadersFailsOnFirstByteAndClosesTheConnectionAtOnce() {
        String id = uniqueId();
        Timed timed = failure(request(id, "[[sim:fault=stall-headers ms=1500]] [[sim:tokens=20]] [[sim:delay=100ms]]"));
        assertThat(timed.failure().kind()).isEqualTo(AnthropicException.Kind.TIMEOUT);
        assertThat(timed.failure().getMessage()).endsWith("first byte after 1s");
        assertThat(timed.elapsed()).isBetween(FIRST_BYTE, FIRST_BYTE.plus(SLACK));
        // The call is reset when it is cancelled at 1 s, before its headers: at 1.5 s the simulator finds its client
        // gone and never starts the 2 s reply.
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3))
                .until(() -> counter(id, "streamsStarted") == 0);
        assertThat(counter(id, "requests")).isEqualTo(1);
    }

    @Test
    void stallAfterTwoDeltasFailsOnIdleAndClosesTheConnection() {
        String id = uniqueId();
        Timed timed = failure(request(id, "[[sim:tokens=5]] [[sim:fault=stall after=2 ms=5000]]"));
        assertThat(timed.failure().kind()).isEqualTo(AnthropicException.Kind.TIMEOUT);
        assertThat(timed.failure().getMessage()).endsWith("idle after 1500ms");
        assertThat(timed.failure().retryable()).isTrue();
        assertThat(timed.elapsed()).isBetween(IDLE, IDLE.plus(SLACK));
        await().atMost(Duration.ofSeconds(1)).until(() -> counter(id, "streamsAbandoned") == 1);
    }

    @Test
    void pingsKeepTheIdleTimeoutSatisfiedButNotTheFirstContentTimeout() {
        String id = uniqueId();
        // Pings every 300 ms for 5 s before the first block: never 1.5 s of silence, but no content for 2 s.
        Timed timed = failure(request(id, "[[sim:ttft=5s]] [[sim:ping=300ms]]"));
        assertThat(timed.failure().kind()).isEqualTo(AnthropicException.Kind.TIMEOUT);
        assertThat(timed.failure().getMessage()).endsWith("first content after 2s");
        assertThat(timed.elapsed()).isBetween(FIRST_CONTENT, FIRST_CONTENT.plus(SLACK));
        await().atMost(Duration.ofSeconds(1)).until(() -> counter(id, "streamsAbandoned") == 1);
    }

    @Test
    void slowButHealthyStreamCompletes() {
        String id = uniqueId();
        long start = System.nanoTime();
        // Eleven deltas 300 ms apart: 3 s in all, longer than the idle and first-content timeouts.
        List<StreamEvent> events = StreamedReply.of(client, request(id, "[[sim:tokens=11]] [[sim:delay=300ms]]"))
                .await().atMost(WAIT);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(events).filteredOn(StreamEvent.ContentBlockDelta.class::isInstance).hasSize(11);
        assertThat(events.getLast()).isInstanceOf(StreamEvent.MessageStop.class);
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(counter(id, "streamsCompleted")).isEqualTo(1);
    }

    @Test
    void nonStreamingCallIsBoundedByTheFirstContentTimeout() {
        long start = System.nanoTime();
        AnthropicException e = catchThrowableOfType(AnthropicException.class,
                () -> client.create(request(uniqueId(), "[[sim:ttft=4s]]")).await().atMost(WAIT));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(e.kind()).isEqualTo(AnthropicException.Kind.TIMEOUT);
        assertThat(e.getMessage()).endsWith("first content after 2s");
        assertThat(elapsed).isBetween(FIRST_CONTENT, FIRST_CONTENT.plus(SLACK));
    }

    private record Timed(AnthropicException failure, Duration elapsed) {
    }

    private Timed failure(MessageRequest request) {
        long start = System.nanoTime();
        AnthropicException e = catchThrowableOfType(AnthropicException.class,
                () -> StreamedReply.of(client, request).await().atMost(WAIT));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(e).as("the stream failed with an AnthropicException").isNotNull();
        return new Timed(e, elapsed);
    }

    /** One of the simulator's counters for this id, read with the JDK client: quick from the first call. */
    private long counter(String id, String name) {
        URI uri = URI.create(client.baseUri() + "/admin/counters?id=" + id);
        try {
            String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            return JSON.readTree(body).path(name).asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String uniqueId() {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            id.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return id.toString();
    }

    private static MessageRequest request(String id, String directives) {
        return new MessageRequest("claude-sonnet-4-6", 100,
                List.of(InputMessage.user("Hi [[sim:id=" + id + "]] " + directives)), null, null, null, null, null,
                null, null);
    }
}
