package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static dev.parley.api.SseTestClient.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.LedgerRows;
import dev.parley.harness.LogCapture;
import dev.parley.harness.Metrics;

/**
 * The Redis conversation store behind a TCP switch (the real Redis of this machine, under a key prefix of this run's
 * own), switched off ({@code down}: refused and cut) and frozen (connections held, nothing answered): every endpoint
 * that needs the store answers a typed, logged, retryable 503 within {@code parley.conversations.redis-timeout}, a
 * chat that needs a stored conversation is refused before the upstream is called, and a reply that cannot be saved
 * ends {@code conversation_not_saved} with its usage in the ledger. Once Redis is back, everything works again.
 */
@QuarkusTest
@TestProfile(RedisConversationOutageTest.BehindASwitch.class)
class RedisConversationOutageTest {

    /** The store's timeout in this test; an answer must come within it plus a margin for the request itself. */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration BOUND = TIMEOUT.plusSeconds(2);
    private static final String RUN = uniqueId();

    public static class BehindASwitch implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.conversations.store", "redis",
                    "quarkus.redis.hosts", "redis://127.0.0.1:" + TcpSwitch.to(6379).port(),
                    "parley.conversations.redis-key-prefix", "parley:test:" + UUID.randomUUID() + ":",
                    "parley.conversations.redis-timeout", TIMEOUT.toMillis() + "ms",
                    "parley.health.timeout", "1s");
        }
    }

    @TestHTTPResource("/")
    URI app;

    @Inject
    @DataSource("ledger-h2")
    AgroalDataSource ledger;

    SseTestClient sse;
    LogCapture logs;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
        logs = LogCapture.install();
    }

    @AfterEach
    void redisBack() {
        TcpSwitch.to(6379).up();
        logs.close();
    }

    @Test
    void readingOrDeletingAConversationWhileRedisIsDownIsATypedRetryable503() {
        String conversation = startConversation();
        redisIs(TcpSwitch.Mode.DOWN);

        assertUnavailable(timed(() -> given().header("X-Request-Id", rid("conv-get-down")).get(app.resolve(
                "/v1/conversations/" + conversation))), rid("conv-get-down"));
        assertUnavailable(timed(() -> given().header("X-Request-Id", rid("conv-delete-down")).delete(app.resolve(
                "/v1/conversations/" + conversation))), rid("conv-delete-down"));
        assertWarned(rid("conv-get-down"));
        assertWarned(rid("conv-delete-down"));

        TcpSwitch.to(6379).up();
        await().atMost(Duration.ofSeconds(10)).until(
                () -> given().get(app.resolve("/v1/conversations/" + conversation)).statusCode() == 200);
        given().get(app.resolve("/v1/conversations/" + conversation)).then().body("messages.size()", equalTo(2));
        given().delete(app.resolve("/v1/conversations/" + conversation)).then().statusCode(204);
        given().get(app.resolve("/v1/conversations/" + conversation)).then().statusCode(404);
    }

    @Test
    void aFrozenRedisGivesTheSameAnswersWithinTheTimeout() {
        String conversation = startConversation();
        redisIs(TcpSwitch.Mode.FROZEN);

        assertUnavailable(timed(() -> given().header("X-Request-Id", rid("conv-get-frozen"))
                .get(app.resolve("/v1/conversations/" + conversation))), rid("conv-get-frozen"));
        assertUnavailable(timed(() -> given().header("X-Request-Id", rid("conv-delete-frozen"))
                .delete(app.resolve("/v1/conversations/" + conversation))), rid("conv-delete-frozen"));
        String id = uniqueId();
        assertUnavailable(timed(() -> given().header("X-Request-Id", rid("chat-frozen")).contentType("application/json")
                .body(json(Map.of("message", "Go on [[sim:id=" + id + "]]", "conversationId", conversation)))
                .post(app.resolve("/v1/chat/stream"))), rid("chat-frozen"));
        assertThat(upstreamRequests(id)).isZero();
        assertWarned(rid("chat-frozen"));
        // Saving a finished turn is bounded as well: the reply ends not saved, it does not wait for Redis.
        long start = System.nanoTime();
        StreamReply unsaved = sse.stream(json(Map.of("message", "Hello [[sim:reply=Hi.]]", "startConversation", true)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
        assertThat(unsaved.last().data().path("error").path("code").asText()).isEqualTo("conversation_not_saved");

        TcpSwitch.to(6379).up();
        await().atMost(Duration.ofSeconds(10)).until(
                () -> given().get(app.resolve("/v1/conversations/" + conversation)).statusCode() == 200);
        StreamReply next = sse.stream(json(Map.of("message", "Go on [[sim:reply=Gone on.]]", "conversationId",
                conversation)));
        assertThat(next.names()).last().isEqualTo("done");
        given().get(app.resolve("/v1/conversations/" + conversation)).then().body("messages.size()", equalTo(4));
    }

    @Test
    void aChatWithAConversationIdIsRefusedBeforeTheUpstreamWhileRedisIsDown() throws SQLException {
        String conversation = startConversation();
        redisIs(TcpSwitch.Mode.DOWN);
        double rejectedBefore = rejections();

        String streamed = uniqueId();
        assertUnavailable(timed(() -> given().header("X-Request-Id", rid("chat-stream-down"))
                .contentType("application/json")
                .body(json(Map.of("message", "Go on [[sim:id=" + streamed + "]]", "conversationId", conversation)))
                .post(app.resolve("/v1/chat/stream"))), rid("chat-stream-down"));
        String whole = uniqueId();
        assertUnavailable(
                timed(() -> given().header("X-Request-Id", rid("chat-json-down")).contentType("application/json")
                        .body(json(Map.of("message", "Go on [[sim:id=" + whole + "]]", "conversationId", conversation)))
                        .post(app.resolve("/v1/chat"))),
                rid("chat-json-down"));

        assertThat(upstreamRequests(streamed)).isZero();
        assertThat(upstreamRequests(whole)).isZero();
        assertThat(row(rid("chat-stream-down"))).isEmpty();
        assertThat(rejections()).isEqualTo(rejectedBefore + 2);
        assertWarned(rid("chat-stream-down"));
        assertWarned(rid("chat-json-down"));
        // Readiness says the same: this replica cannot serve conversations.
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'conversations' }.data.redis", equalTo("down"));

        TcpSwitch.to(6379).up();
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        StreamReply next = sse.stream(json(Map.of("message", "Go on [[sim:reply=Gone on.]]", "conversationId",
                conversation)));
        assertThat(next.names()).last().isEqualTo("done");
    }

    @Test
    void aReplyThatCannotBeSavedEndsConversationNotSavedAfterItsTextAndKeepsItsLedgerRow() {
        redisIs(TcpSwitch.Mode.DOWN);
        StreamReply reply = sse.stream(json(Map.of("message", "Hello [[sim:reply=Hello there.]]",
                "startConversation", true)));
        String requestId = reply.header("x-request-id");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).isEqualTo("Hello there.");
        assertThat(reply.names()).last().isEqualTo("error");
        JsonNode error = reply.last().data();
        assertThat(error.path("error").path("code").asText()).isEqualTo("conversation_not_saved");
        assertThat(error.path("error").path("retryable").asBoolean()).isTrue();
        assertThat(error.path("error").path("retryAfterSeconds").asLong()).isEqualTo(5);
        assertThat(error.path("usage").path("outputTokens").asLong()).isPositive();

        Map<String, Object> row = awaitRow(requestId);
        assertThat(row).containsEntry("outcome", "conversation_not_saved").containsEntry("output_tokens_final", true);
        assertThat(row.get("output_tokens")).isEqualTo(error.path("usage").path("outputTokens").asLong());
        assertThat(row.get("conversation_id")).asString().startsWith("conv_");
        assertWarned(requestId);
    }

    @Test
    void theOneShotChatAnswersAnUnsavedReplyWith503AndItsUsage() {
        redisIs(TcpSwitch.Mode.DOWN);
        Response response = given().header("X-Request-Id", rid("not-saved-json")).contentType("application/json")
                .body(json(Map.of("message", "Hello [[sim:reply=Hello there.]]", "startConversation", true)))
                .post(app.resolve("/v1/chat"));

        response.then().statusCode(503).contentType(Problem.MEDIA_TYPE).header("Retry-After", "5")
                .header("X-Request-Id", rid("not-saved-json"))
                .body("code", equalTo("conversation_not_saved")).body("requestId", equalTo(rid("not-saved-json")));
        assertThat(response.jsonPath().getLong("usage.outputTokens")).isPositive();
        assertThat(awaitRow(rid("not-saved-json"))).containsEntry("outcome", "conversation_not_saved");
    }

    @Test
    void redisLostDuringAReplyEndsItNotSavedAndLeavesTheConversationAsItWas() {
        String conversation = startConversation();
        // Redis goes away once the reply has begun: the conversation was read, the finished turn cannot be saved.
        StreamReply reply = sse.stream(json(Map.of("message", "Go on [[sim:tokens=20]] [[sim:delay=20ms]]",
                "conversationId", conversation)), frame -> {
                    if ("text".equals(frame.event())) {
                        TcpSwitch.to(6379).down();
                    }
                    return false;
                });

        assertThat(reply.names()).first().isEqualTo("text");
        assertThat(reply.names()).last().isEqualTo("error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("conversation_not_saved");

        TcpSwitch.to(6379).up();
        await().atMost(Duration.ofSeconds(10)).until(
                () -> given().get(app.resolve("/v1/conversations/" + conversation)).statusCode() == 200);
        given().get(app.resolve("/v1/conversations/" + conversation)).then().body("messages.size()", equalTo(2));
    }

    /**
     * Switches Redis off or freezes it, and waits until the application sees it so (readiness reports Redis down):
     * the switch changes a connection's mode within ~50 ms, and a request must not slip through before.
     */
    private static void redisIs(TcpSwitch.Mode mode) {
        TcpSwitch.to(6379).set(mode);
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/health/ready").statusCode() == 503);
    }

    /** A request id of this run's own: the ledger and its rows outlive a run. */
    private static String rid(String name) {
        return name + "-" + RUN;
    }

    private String startConversation() {
        StreamReply first = sse.stream(json(Map.of("message", "Hello [[sim:reply=Hi.]]", "startConversation", true)));
        assertThat(first.names()).last().isEqualTo("done");
        return first.last().data().path("conversationId").asText();
    }

    private static void assertUnavailable(Response response, String requestId) {
        response.then().statusCode(503).contentType(Problem.MEDIA_TYPE).header("Retry-After", "5")
                .header("X-Request-Id", requestId)
                .body("code", equalTo("conversation_store_unavailable")).body("status", equalTo(503))
                .body("requestId", equalTo(requestId));
    }

    /** The response, asserted to have come within the store's timeout (plus a margin). */
    private static Response timed(Supplier<Response> request) {
        long start = System.nanoTime();
        Response response = request.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
        return response;
    }

    /** One WARN line for the request, with its id in the MDC, naming the store, and no prompt in it. */
    private void assertWarned(String requestId) {
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.lines().stream().anyMatch(
                line -> requestId.equals(line.requestId()) && line.level().intValue() == Level.WARNING.intValue()));
        assertThat(logs.lines()).filteredOn(line -> requestId.equals(line.requestId()))
                .filteredOn(line -> line.level().intValue() == Level.WARNING.intValue())
                .singleElement()
                .satisfies(line -> assertThat(line.message()).contains("Redis").doesNotContain("sim:")
                        .doesNotContain("Hello").doesNotContain("Go on"));
    }

    private static double rejections() {
        return Metrics.samples(given().get("/q/metrics").asString())
                .getOrDefault("parley_chat_rejections_total{reason=\"conversation_store_unavailable\"}", 0.0);
    }

    private long upstreamRequests(String simulatorId) {
        return sse.getJson("/simulator/admin/requests?id=" + simulatorId).size();
    }

    private Map<String, Object> awaitRow(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> row(requestId), Optional::isPresent).get();
    }

    private Optional<Map<String, Object>> row(String requestId) throws SQLException {
        return LedgerRows.byRequestId(ledger, requestId);
    }
}
