package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static dev.parley.api.SseTestClient.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * The retry rules against the simulator's faults: a round is retried only before anything of it reached the client,
 * only for what the SDKs retry, within the attempts and the deadline; each case checks what the client received and
 * how many attempts the simulator saw. Test backoff is 20 ms doubling to 100 ms; a server's retry-after is honoured.
 */
@QuarkusTest
class RetryFaultMatrixTest {

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;
    private String id;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
        id = uniqueId();
    }

    @Test
    void rateLimitIsRetriedOnceAfterItsRetryAfter() {
        long start = System.nanoTime();
        StreamReply reply = stream("[[sim:fault=429 retry-after=1]] [[sim:reply=After the wait.]]");
        assertThat(reply.names()).startsWith("retry", "text").endsWith("done").containsOnlyOnce("retry");
        JsonNode retry = reply.events().getFirst().data();
        assertThat(retry.path("attempt").asInt()).isEqualTo(2);
        assertThat(retry.path("reason").asText()).isEqualTo("upstream_rate_limited");
        assertThat(retry.path("delayMs").asLong()).isEqualTo(1000);
        assertThat(Duration.ofNanos(reply.last().atNanos() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(reply.text()).isEqualTo("After the wait.");
        assertThat(attempts()).isEqualTo(2);
    }

    @Test
    void overloadedTwiceThenSucceeds() {
        StreamReply reply = stream("[[sim:fault=529 times=2]] [[sim:reply=Finally.]]");
        assertThat(reply.names()).startsWith("retry", "retry").endsWith("done");
        assertThat(reply.events().get(1).data().path("attempt").asInt()).isEqualTo(3);
        assertThat(reply.events().get(1).data().path("delayMs").asLong()).isBetween(30L, 40L);
        assertThat(attempts()).isEqualTo(3);
    }

    @Test
    void overloadedForeverFailsAfterTheConfiguredAttempts() {
        StreamReply reply = stream("[[sim:fault=529 times=always]]");
        assertThat(reply.names()).containsExactly("retry", "retry", "error");
        JsonNode error = reply.last().data().path("error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_overloaded");
        assertThat(error.path("retryable").asBoolean()).isTrue();
        assertThat(attempts()).isEqualTo(3);
    }

    @Test
    void clientErrorsAreNeverRetried() {
        for (String status : List.of("400", "401", "403", "404", "413")) {
            id = uniqueId();
            StreamReply reply = stream("[[sim:fault=" + status + "]]");
            assertThat(reply.names()).as(status).containsExactly("error");
            assertThat(attempts()).as(status).isEqualTo(1);
        }
    }

    @Test
    void shouldRetryHeaderDecidesAgainstTheStatus() {
        StreamReply refused = stream("[[sim:fault=529 should-retry=false]]");
        assertThat(refused.names()).containsExactly("error");
        JsonNode error = refused.last().data().path("error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_overloaded");
        assertThat(error.path("retryable").asBoolean()).isFalse();
        assertThat(error.path("message").asText()).isEqualTo("The AI service is overloaded.");
        assertThat(attempts()).isEqualTo(1);
        id = uniqueId();
        assertThat(stream("[[sim:fault=400 should-retry=true]] [[sim:reply=Ok.]]").names()).startsWith("retry")
                .endsWith("done");
        assertThat(attempts()).isEqualTo(2);
    }

    @Test
    void overloadedEventBeforeAnyTextIsRetriedAndBothAttemptsAreBilled() {
        StreamReply single = stream("[[sim:reply=Ok.]]");
        long oneAttemptInput = single.last().data().path("usage").path("inputTokens").asLong();

        id = uniqueId();
        StreamReply reply = stream("[[sim:fault=error-event after=0]] [[sim:reply=Ok.]]");
        assertThat(reply.names()).containsExactly("retry", "text", "text", "done");
        assertThat(reply.events().getFirst().data().path("reason").asText()).isEqualTo("upstream_overloaded");
        // The failed attempt reached message_start, so its input was billed too; the directive text is the same
        // length in both requests apart from the fault directive.
        long input = reply.last().data().path("usage").path("inputTokens").asLong();
        assertThat(input).isGreaterThan(oneAttemptInput * 2);
        assertThat(attempts()).isEqualTo(2);
    }

    @Test
    void errorEventAfterTextIsNeverRetried() {
        StreamReply reply = stream("[[sim:tokens=10]] [[sim:fault=error-event after=3]]");
        assertThat(reply.names()).containsExactly("text", "text", "text", "error");
        JsonNode error = reply.last().data();
        assertThat(error.path("error").path("code").asText()).isEqualTo("upstream_overloaded");
        assertThat(error.path("error").path("retryable").asBoolean()).isTrue();
        assertThat(error.path("usage").path("outputTokens").asLong()).isPositive();
        assertThat(attempts()).isEqualTo(1);
    }

    @Test
    void refusalEventsInsideTheStreamAreTypedByTheirErrorTypeNotAsInternalErrors() {
        for (var expected : Map.of("invalid_request_error", "upstream_rejected", "not_found_error",
                "upstream_rejected", "authentication_error", "upstream_auth", "permission_error", "upstream_auth",
                "billing_error", "upstream_billing").entrySet()) {
            id = uniqueId();
            StreamReply reply = stream("[[sim:fault=error-event type=" + expected.getKey() + "]]");
            assertThat(reply.names()).as(expected.getKey()).containsExactly("error");
            JsonNode error = reply.last().data().path("error");
            assertThat(error.path("code").asText()).as(expected.getKey()).isEqualTo(expected.getValue());
            assertThat(error.path("retryable").asBoolean()).as(expected.getKey()).isFalse();
            // Not retryable, so the message must not tell the user to try again.
            assertThat(error.path("message").asText()).as(expected.getKey()).doesNotContainIgnoringCase("try again");
            assertThat(attempts()).as(expected.getKey()).isEqualTo(1);
        }
    }

    @Test
    void connectionCutAfterTextIsNeverRetried() {
        StreamReply reply = stream("[[sim:tokens=10]] [[sim:fault=drop after=2]]");
        assertThat(reply.names()).containsExactly("text", "text", "error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_interrupted");
        assertThat(attempts()).isEqualTo(1);
    }

    @Test
    void connectionCutBeforeTextIsRetried() {
        StreamReply reply = stream("[[sim:fault=drop after=0]] [[sim:reply=Ok.]]");
        assertThat(reply.names()).containsExactly("retry", "text", "text", "done");
        assertThat(reply.events().getFirst().data().path("reason").asText()).isEqualTo("upstream_interrupted");
        assertThat(attempts()).isEqualTo(2);
    }

    @Test
    void upstreamStallAfterTextEndsWithUpstreamTimeout() {
        long start = System.nanoTime();
        StreamReply reply = stream("[[sim:tokens=10]] [[sim:fault=stall after=2 ms=5000]]");
        assertThat(reply.names()).containsExactly("text", "text", "error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_timeout");
        // Test idle timeout: 1.5 s.
        assertThat(Duration.ofNanos(reply.last().atNanos() - start)).isBetween(Duration.ofMillis(1500),
                Duration.ofSeconds(4));
        assertThat(attempts()).isEqualTo(1);
    }

    @Test
    void upstreamSilentBeforeItsFirstByteIsRetriedThenReportedAsTimeout() {
        long start = System.nanoTime();
        StreamReply reply = stream("[[sim:fault=stall-headers ms=3000 times=always]]");
        assertThat(reply.names()).containsExactly("retry", "retry", "error");
        assertThat(reply.events().getFirst().data().path("reason").asText()).isEqualTo("upstream_timeout");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("upstream_timeout");
        // Three attempts, each cut at the test's first-byte timeout of 1 s.
        assertThat(Duration.ofNanos(reply.last().atNanos() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void retryAfterBeyondTheDeadlineFailsFastWithItsOwnRetryAfter() {
        long start = System.nanoTime();
        StreamReply reply = sse.stream(json(Map.of("message", message("[[sim:fault=429 retry-after=30]]"),
                "deadlineMs", 3000)));
        assertThat(reply.names()).containsExactly("error");
        JsonNode error = reply.last().data().path("error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_rate_limited");
        assertThat(error.path("retryAfterSeconds").asLong()).isEqualTo(30);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(attempts()).isEqualTo(1);

        id = uniqueId();
        given().contentType("application/json").body(json(Map.of("message",
                message("[[sim:fault=429 retry-after=30]]"), "deadlineMs", 3000)))
                .post(app.resolve("/v1/chat")).then().statusCode(502).header("Retry-After", "30")
                .body("code", equalTo("upstream_rate_limited"));
    }

    @Test
    void turnThatOutlivesItsDeadlineEndsWithDeadlineExceeded() {
        long start = System.nanoTime();
        StreamReply reply = sse.stream(json(Map.of("message",
                message("[[sim:tokens=50]] [[sim:delay=100ms]]"), "deadlineMs", 700)));
        assertThat(reply.names()).contains("text").endsWith("error");
        JsonNode error = reply.last().data();
        assertThat(error.path("error").path("code").asText()).isEqualTo("deadline_exceeded");
        assertThat(error.path("usage").path("inputTokens").asLong()).isPositive();
        assertThat(Duration.ofNanos(reply.last().atNanos() - start)).isBetween(Duration.ofMillis(700),
                Duration.ofMillis(2500));
    }

    @Test
    void oneShotChatRetriesInvisibly() {
        given().contentType("application/json").body(json(Map.of("message",
                message("[[sim:fault=529]] [[sim:reply=Fine.]]"))))
                .post(app.resolve("/v1/chat")).then().statusCode(200).body("text", equalTo("Fine."));
        assertThat(attempts()).isEqualTo(2);
    }

    @Test
    void retriesAreCountedByReason() {
        stream("[[sim:fault=529]] [[sim:reply=Ok.]]");
        assertThat(given().get(app.resolve("/q/metrics")).asString())
                .contains("parley_upstream_retries_total{reason=\"upstream_overloaded\"}");
    }

    private StreamReply stream(String directives) {
        return sse.stream(json(Map.of("message", message(directives))));
    }

    private String message(String directives) {
        return "Hi [[sim:id=" + id + "]] " + directives;
    }

    private long attempts() {
        return sse.simulatorCounter(id, "requests");
    }
}
