package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.harness.Metrics;
import dev.parley.harness.RawHttp;

/**
 * Request bodies are bounded before anything buffers them: each by the largest the character limits can let
 * through, all together by a budget of bytes held at once. Refusals are problems with a code and the request id.
 */
@QuarkusTest
class RequestLimitsTest {

    /** The test profile's largest legal body: 6 x (2,000 message + 4,000 history characters) + 64 x 6 + 16 KiB. */
    static final int MAX_BODY = 52_768;

    @TestHTTPResource("/")
    URI base;

    @Test
    void aBodyDeclaredLargerThanTheLimitIsRefusedBeforeItIsSent() {
        try (RawHttp http = RawHttp.connect(base)) {
            RawHttp.Reply reply = http.head("POST /v1/chat/stream HTTP/1.1", "Host: localhost",
                    "Content-Type: application/json", "Content-Length: 10000000", "X-Request-Id: big-body-1").reply();
            assertProblem(reply, 413, "body_too_large");
            assertThat(reply.header("X-Request-Id")).isEqualTo("big-body-1");
            assertThat(http.isClosedByServer()).as("the connection is closed, the body never read").isTrue();
        }
    }

    @Test
    void aChunkedBodyIsRefusedTheMomentItCrossesTheLimit() {
        try (RawHttp http = RawHttp.connect(base)) {
            http.head("POST /v1/chat HTTP/1.1", "Host: localhost", "Content-Type: application/json",
                    "Transfer-Encoding: chunked");
            byte[] chunk = new byte[4096];
            Arrays.fill(chunk, (byte) 'x');
            for (int sent = 0; sent <= MAX_BODY; sent += chunk.length) {
                http.chunk(chunk);
            }
            RawHttp.Reply reply = http.reply();
            assertProblem(reply, 413, "body_too_large");
            assertThat(http.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aLegalBodyWhoseEveryCharacterIsEscapedIsServed() {
        String body = escapedLegalBody();
        assertThat(body.length()).as("six bytes a character, under the limit").isBetween(36_000, MAX_BODY);
        given().contentType("application/json").body(body).post("/v1/chat").then().statusCode(200);
    }

    @Test
    void aChunkedLegalBodyIsServed() {
        byte[] body = escapedLegalBody().getBytes(StandardCharsets.UTF_8);
        try (RawHttp http = RawHttp.connect(base)) {
            http.head("POST /v1/chat HTTP/1.1", "Host: localhost", "Content-Type: application/json",
                    "Accept: application/json", "Transfer-Encoding: chunked");
            for (int from = 0; from < body.length; from += 5000) {
                http.chunk(Arrays.copyOfRange(body, from, Math.min(body.length, from + 5000)));
            }
            http.send("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply reply = http.reply();
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(reply.body()).contains("\"stopReason\"");
        }
    }

    /** The JDK's client asks for HTTP/2 (h2c) by default; such a request is bounded and served too. */
    @Test
    void anHttp2RequestIsServedAndAnOversizedOneRefused() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> served = client.send(HttpRequest.newBuilder(base.resolve("/v1/chat"))
                .header("content-type", "application/json").header("accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(escapedLegalBody())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(base.resolve("/v1/chat"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(MAX_BODY + 1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(readJson(refused.body()).path("code").asText()).isEqualTo("body_too_large");
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("parley_request_body_held_bytes") == 0);
    }

    @Test
    void bodiesPastTheBudgetAreAnsweredBusyAndTheirBytesComeBack() {
        long budget = gauge("parley_request_body_budget_bytes");
        long heldBefore = gauge("parley_request_body_held_bytes");
        int holders = (int) ((budget - heldBefore) / MAX_BODY);
        List<RawHttp> held = new ArrayList<>();
        try {
            // Bodies declared and never sent: each holds its declared length of the budget.
            for (int i = 0; i < holders; i++) {
                held.add(RawHttp.connect(base).head("POST /v1/chat HTTP/1.1", "Host: localhost",
                        "Content-Type: application/json", "Content-Length: " + MAX_BODY));
            }
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> gauge("parley_request_body_held_bytes") >= heldBefore + (long) holders * MAX_BODY);
            try (RawHttp http = RawHttp.connect(base)) {
                RawHttp.Reply reply = http.head("POST /v1/chat HTTP/1.1", "Host: localhost",
                        "Content-Type: application/json", "Content-Length: " + MAX_BODY).reply();
                assertProblem(reply, 503, "server_busy");
                assertThat(reply.header("Retry-After")).isEqualTo("1");
            }
        } finally {
            held.forEach(RawHttp::close);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("parley_request_body_held_bytes") == 0);
        given().contentType("application/json").body(SseTestClient.json(Map.of("message", "Hi after the rush")))
                .post("/v1/chat").then().statusCode(200);
    }

    @Test
    void aBodyThatStallsIsAnsweredWithATimeoutAndGivesItsBytesBack() {
        try (RawHttp http = RawHttp.connect(base)) {
            http.head("POST /v1/chat HTTP/1.1", "Host: localhost", "Content-Type: application/json",
                    "Content-Length: 1000").send("{\"message\":".getBytes(StandardCharsets.UTF_8));
            assertProblem(http.reply(), 408, "body_timeout");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("parley_request_body_held_bytes") == 0);
    }

    @Test
    void theServerWideLimitOfOtherPathsIsAProblemToo() {
        try (RawHttp http = RawHttp.connect(base)) {
            RawHttp.Reply reply = http.head("POST /simulator/v1/messages HTTP/1.1", "Host: localhost",
                    "Content-Type: application/json", "Content-Length: 40000000").reply();
            assertProblem(reply, 413, "body_too_large");
        }
    }

    @Test
    void longUrisAndLargeHeadersAreProblemsBelowTheDecodersLimits() {
        try (RawHttp http = RawHttp.connect(base)) {
            assertProblem(http.head("GET /v1/" + "a".repeat(5000) + " HTTP/1.1", "Host: localhost").reply(), 414,
                    "uri_too_long");
            assertThat(http.isClosedByServer()).isTrue();
        }
        try (RawHttp http = RawHttp.connect(base)) {
            assertProblem(http.head("GET /v1/assistants HTTP/1.1", "Host: localhost", "X-Big: " + "b".repeat(30_000))
                    .reply(), 431, "headers_too_large");
            assertThat(http.isClosedByServer()).isTrue();
        }
    }

    /**
     * What the HTTP decoder refuses never reaches a handler (Quarkus 3.33 has no hook for it): the status alone, and
     * the connection closed. README's "Request limits" says so.
     */
    @Test
    void requestLinesAndHeadersPastTheDecodersLimitsAreRefusedByStatusAlone() {
        assertBareRefusal(414, "GET /v1/" + "a".repeat(9000) + " HTTP/1.1", "Host: localhost");
        assertBareRefusal(431, "GET /v1/assistants HTTP/1.1", "Host: localhost", "X-Big: " + "b".repeat(50_000));
        assertBareRefusal(400, "NOT-HTTP", "Host: localhost");
    }

    private void assertBareRefusal(int status, String requestLine, String... headers) {
        try (RawHttp http = RawHttp.connect(base)) {
            RawHttp.Reply reply = http.head(requestLine, headers).reply();
            assertThat(reply.status()).isEqualTo(status);
            assertThat(reply.body()).isEmpty();
            assertThat(http.isClosedByServer()).isTrue();
        }
    }

    /** A legal body: 2,000 message and 3,996 history characters, each of which JSON writes as {@code \u0001}. */
    private static String escapedLegalBody() {
        List<Map<String, String>> history = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            history.add(Map.of("role", i % 2 == 0 ? "user" : "assistant", "content", "\u0001".repeat(666)));
        }
        return SseTestClient.json(Map.of("message", "Hi" + "\u0001".repeat(1998), "history", history));
    }

    static void assertProblem(RawHttp.Reply reply, int status, String code) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).isEqualTo(Problem.MEDIA_TYPE);
        JsonNode problem = readJson(reply.body());
        assertThat(problem.path("code").asText()).isEqualTo(code);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("requestId").asText()).isNotBlank().isEqualTo(reply.header("X-Request-Id"));
    }

    private static JsonNode readJson(String body) {
        try {
            return SseTestClient.JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static long gauge(String name) {
        return Metrics.samples(given().get("/q/metrics").asString()).get(name).longValue();
    }
}
