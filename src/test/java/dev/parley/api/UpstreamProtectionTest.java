package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

import dev.parley.anthropic.UpstreamProtection;
import dev.parley.api.SseTestClient.StreamReply;

/**
 * The circuit breaker and the concurrency limit, with small limits of their own: a breaker that opens after four
 * calls at 50 % failures and rests for a second, and two concurrent streams with a queue of one.
 */
@QuarkusTest
@TestProfile(UpstreamProtectionTest.SmallLimits.class)
class UpstreamProtectionTest {

    /** Limits small enough to reach in a test. */
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "parley.upstream.circuit-breaker.request-volume-threshold", "4",
                    "parley.upstream.circuit-breaker.failure-ratio", "0.5",
                    "parley.upstream.circuit-breaker.delay", "1s",
                    "parley.upstream.circuit-breaker.success-threshold", "1",
                    "parley.upstream.concurrency.max-streams", "2",
                    "parley.upstream.concurrency.queue-size", "1");
        }
    }

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;

    @BeforeEach
    @AfterEach
    void closeTheBreaker() {
        sse = new SseTestClient(app);
        CircuitBreakerMaintenance.get().reset(UpstreamProtection.BREAKER);
    }

    @Test
    void breakerOpensOnUpstreamFailuresRefusesWith503AndClosesAfterItsDelay() {
        // Three attempts of one turn and the first of the next fail: four calls, all failed, the breaker opens.
        StreamReply first = sse.stream(body("[[sim:id=" + uniqueId() + "]] [[sim:fault=529 times=always]]"));
        assertThat(first.last().data().path("error").path("code").asText()).isEqualTo("upstream_overloaded");
        StreamReply second = sse.stream(body("[[sim:id=" + uniqueId() + "]] [[sim:fault=529 times=always]]"));
        assertThat(second.last().data().path("error").path("code").asText()).isEqualTo("upstream_circuit_open");

        String untouched = uniqueId();
        given().contentType("application/json").body(body("[[sim:id=" + untouched + "]]"))
                .post(app.resolve("/v1/chat/stream")).then().statusCode(503).header("Retry-After", "1")
                .contentType("application/problem+json").body("code", equalTo("upstream_circuit_open"));
        assertThat(sse.simulatorCounter(untouched, "requests")).isZero();

        // After its delay the breaker lets a trial call through; one success closes it.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> sse.stream(body("[[sim:reply=Back.]]")).status() == 200);
        assertThat(sse.stream(body("[[sim:reply=Back.]]")).names()).endsWith("done");
    }

    @Test
    void clientErrorsDoNotOpenTheBreaker() {
        for (int i = 0; i < 6; i++) {
            assertThat(sse.stream(body("[[sim:fault=400]]")).names()).containsExactly("error");
        }
        assertThat(sse.stream(body("[[sim:reply=Still open for business.]]")).names()).endsWith("done");
    }

    @Test
    void concurrencyLimitQueuesOneAndShedsTheRestWith429() throws Exception {
        String slow1 = uniqueId();
        String slow2 = uniqueId();
        String queued = uniqueId();
        CompletableFuture<StreamReply> first = slowStream(slow1);
        CompletableFuture<StreamReply> second = slowStream(slow2);
        // The slow streams last 10 s, so a loaded machine cannot end them before the queue is full.
        await().atMost(Duration.ofSeconds(10)).until(() -> sse.simulatorCounter(slow1, "streamsStarted") == 1
                && sse.simulatorCounter(slow2, "streamsStarted") == 1);

        CompletableFuture<StreamReply> third = CompletableFuture
                .supplyAsync(() -> sse.stream(body("[[sim:id=" + queued + "]] [[sim:reply=Queued, then served.]]")));
        // The third waits in the queue without reaching the upstream; a fourth finds the queue full.
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get(app.resolve("/q/metrics")).asString()
                .contains("parley_upstream_streams_waiting 1.0"));
        given().contentType("application/json").body(body("[[sim:reply=Too many.]]"))
                .post(app.resolve("/v1/chat/stream")).then().statusCode(429);
        given().contentType("application/json").body(body("[[sim:reply=Too many.]]"))
                .post(app.resolve("/v1/chat")).then().statusCode(429).header("Retry-After", "1")
                .body("code", equalTo("too_many_requests"));
        assertThat(sse.simulatorCounter(queued, "requests")).isZero();

        // Permits are held until the streams end: the queued one is served after one of them.
        List<StreamReply> replies = List.of(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS),
                third.get(30, TimeUnit.SECONDS));
        assertThat(replies).allSatisfy(reply -> assertThat(reply.names()).endsWith("done"));
        assertThat(replies.get(2).text()).isEqualTo("Queued, then served.");
        assertThat(sse.simulatorCounter(queued, "requests")).isEqualTo(1);
    }

    private CompletableFuture<StreamReply> slowStream(String id) {
        return CompletableFuture
                .supplyAsync(() -> sse.stream(body("[[sim:id=" + id + "]] [[sim:tokens=100]] [[sim:delay=100ms]]")));
    }

    private static String body(String message) {
        return ChatStreamTest.body(message);
    }
}
