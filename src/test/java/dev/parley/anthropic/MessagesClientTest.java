package dev.parley.anthropic;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The client against the simulator: both call styles, and every failure typed once. */
@QuarkusTest
class MessagesClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    MessagesClient client;

    @Test
    void nonStreamingCallReturnsTheWholeMessage() {
        Message message = client.create(request("[[sim:reply=Whole answer.]]")).await().atMost(WAIT);
        assertThat(message.text()).isEqualTo("Whole answer.");
        assertThat(message.stopReason()).isEqualTo("end_turn");
        assertThat(message.id()).startsWith("msg_");
        // "Whole answer." is "Whol" "e" " answ" "er" ".": five tokens.
        assertThat(message.usage().output()).isEqualTo(5);
    }

    @Test
    void streamYieldsTypedEventsWithoutPings() {
        List<StreamEvent> events = StreamedReply.of(client, request("[[sim:tokens=2]]")).await()
                .atMost(WAIT);
        assertThat(events.getFirst()).isInstanceOf(StreamEvent.MessageStart.class);
        assertThat(events.getLast()).isInstanceOf(StreamEvent.MessageStop.class);
        assertThat(events).noneMatch(StreamEvent.Ping.class::isInstance);
    }

    @Test
    void countTokensCountsWhatTheMessageIsBilledAsInput() {
        MessageRequest request = request("[[sim:input-tokens=1234]] [[sim:tokens=3]] Count me");
        long counted = client.countTokens(request, WAIT).await().atMost(WAIT);
        Message message = client.create(request).await().atMost(WAIT);
        assertThat(counted).isEqualTo(message.usage().input()).isGreaterThan(1234);
    }

    @Test
    void aFailedCountIsTypedLikeAnyOneShotCall() {
        given().contentType("application/json")
                .body("{\"fault\":\"429 retry-after=4\"}").post("/simulator/admin/faults").then().statusCode(204);
        AnthropicException e = catchThrowableOfType(AnthropicException.class,
                () -> client.countTokens(request("Count me"), WAIT).await().atMost(WAIT));
        assertThat(e.kind()).isEqualTo(AnthropicException.Kind.HTTP_ERROR);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(4));
    }

    @Test
    void httpErrorBecomesATypedExceptionWithRetryAfterAndRequestId() {
        AnthropicException e = failure(request("[[sim:fault=429 retry-after=3]]"));
        assertThat(e.kind()).isEqualTo(AnthropicException.Kind.HTTP_ERROR);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.errorType()).contains("rate_limit_error");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).doesNotContain("parley-simulator-key");
    }

    @Test
    void shouldRetryHeaderOverridesTheStatus() {
        assertThat(failure(request("[[sim:fault=529 should-retry=false]]")).retryable()).isFalse();
    }

    @Test
    void errorEventInsideTheStreamBecomesAStreamError() {
        AnthropicException e = failure(request("[[sim:tokens=5]] [[sim:fault=error-event after=1]]"));
        assertThat(e.kind()).isEqualTo(AnthropicException.Kind.STREAM_ERROR);
        assertThat(e.errorType()).contains("overloaded_error");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void cutConnectionBecomesAnInterruption() {
        AnthropicException e = failure(request("[[sim:tokens=5]] [[sim:fault=drop after=1]]"));
        assertThat(e.kind()).isEqualTo(AnthropicException.Kind.INTERRUPTED);
    }

    private AnthropicException failure(MessageRequest request) {
        return catchThrowableOfType(AnthropicException.class,
                () -> StreamedReply.of(client, request).await().atMost(WAIT));
    }

    private static MessageRequest request(String text) {
        return new MessageRequest("claude-sonnet-4-6", 100, List.of(InputMessage.user(text)), null, null, null, null,
                null, null, null);
    }
}
