package dev.parley.frontdoor;

import static dev.parley.frontdoor.DoorWitness.counter;
import static dev.parley.frontdoor.DoorWitness.upstreamRequestTree;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.parley.harness.RawHttp;

/**
 * The front door over plain HTTP, as any client that is not an SDK sees it (the test profile's {@code none} mode:
 * every caller is {@code anonymous}, with the default policy): what passes through as written, and every refusal in
 * Anthropic's error shape with parley's own message. No injection, so {@link FrontDoorEdgeIT} runs the same against
 * the packaged application.
 */
@QuarkusTest
class FrontDoorEdgeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "claude-sonnet-4-6";

    @Test
    void aBodyReachesTheUpstreamAsWrittenAndItsAnswerTheClient() throws Exception {
        String id = uniqueId();
        // Fields parley does not read (metadata, stop_sequences, service_tier, a cache breakpoint) pass untouched.
        String body = """
                {"model":"claude-sonnet-4-6","max_tokens":64,"metadata":{"user_id":"u-42"},
                 "stop_sequences":["\\n\\nHuman:"],"service_tier":"auto",
                 "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral","ttl":"5m"}}],
                 "messages":[{"role":"user","content":"[[sim:id=%s]] Hi [[sim:reply=Hello, as written.]]"}]}
                """.formatted(id);

        Response response = door().body(body).post("/anthropic/v1/messages?beta=true");

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.header("request-id")).startsWith("req_");
        assertThat(response.header("anthropic-ratelimit-requests-limit")).isNotBlank();
        assertThat(response.header("parley-simulator")).as("the upstream's own marks stay upstream").isNull();
        JsonNode message = JSON.readTree(response.asString());
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.at("/content/0/text").asText()).isEqualTo("Hello, as written.");
        JsonNode upstream = upstreamRequestTree(id);
        assertThat(upstream).hasSize(1);
        assertThat(upstream.get(0).path("body")).isEqualTo(JSON.readTree(body));
        assertThat(upstream.get(0).at("/headers/anthropic-version").asText()).isEqualTo("2023-06-01");
        assertThat(upstream.get(0).at("/headers/anthropic-beta").isMissingNode()).isTrue();
    }

    @Test
    void withoutAnAnthropicVersionParleysOwnIsSent() {
        String id = uniqueId();

        given().contentType("application/json").body(message(id, "[[sim:reply=Versioned.]]"))
                .post("/anthropic/v1/messages").then().statusCode(200);

        assertThat(upstreamRequestTree(id).get(0).at("/headers/anthropic-version").asText()).isEqualTo("2023-06-01");
    }

    @Test
    void bodiesThatAreNotOneRequestAreInvalidRequests() {
        assertRefused(door().body("{\"model\":").post("/anthropic/v1/messages"), 400, "invalid_request_error")
                .contains("not valid JSON");
        assertRefused(door().body("[1, 2]").post("/anthropic/v1/messages"), 400, "invalid_request_error")
                .contains("dictionary");
        assertRefused(door().body("{\"max_tokens\":10,\"messages\":[]}").post("/anthropic/v1/messages"), 400,
                "invalid_request_error").isEqualTo("model: Field required");
        assertRefused(door().body("{\"model\":\"" + MODEL + "\",\"messages\":[]}").post("/anthropic/v1/messages"),
                400, "invalid_request_error").isEqualTo("max_tokens: Field required");
        // Were a field named twice, parley might check one value and the upstream use the other.
        assertRefused(door().body("{\"model\":\"claude-haiku-4-5\",\"model\":\"" + MODEL
                + "\",\"max_tokens\":10,\"messages\":[]}").post("/anthropic/v1/messages"), 400,
                "invalid_request_error").contains("a field appears twice");
    }

    @Test
    void aBodyOverTheLimitIsTooLargeBeforeItIsRead() throws Exception {
        String id = uniqueId();
        // Only the head is sent: the refusal must come from the declared length alone. (Sending the body as well
        // races the server's close of the connection, and the writer sees a broken pipe instead of the answer.)
        try (RawHttp http = RawHttp.connect(URI.create("http://localhost:" + RestAssured.port))) {
            RawHttp.Reply reply = http.head("POST /anthropic/v1/messages HTTP/1.1", "Host: localhost",
                    "Content-Type: application/json", "anthropic-version: 2023-06-01",
                    "Content-Length: " + message(id, "x".repeat(600 * 1024)).length()).reply();

            assertThat(reply.status()).as(reply.body()).isEqualTo(413);
            JsonNode error = JSON.readTree(reply.body());
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.at("/error/type").asText()).isEqualTo("request_too_large");
            assertThat(reply.header("request-id")).isEqualTo(error.path("request_id").asText()).isNotBlank();
            assertThat(reply.header("x-should-retry")).isEqualTo("false");
            assertThat(http.isClosedByServer()).as("the connection is closed, the body never read").isTrue();
        }
        assertThat(counter(id, "requests")).isZero();
    }

    @Test
    void aBetaOutsideThePolicyIsAPermissionError() {
        String id = uniqueId();

        assertRefused(door().header("anthropic-beta", "context-1m-2025-08-07").body(message(id, "Hi"))
                .post("/anthropic/v1/messages"), 403, "permission_error").contains("context-1m-2025-08-07");
        assertThat(counter(id, "requests")).isZero();
    }

    @Test
    void anUpstreamRefusalPassesItsStatusAndTypeButNotItsMessage() {
        String id = uniqueId();

        Response response = door().body("""
                {"model":"claude-nope-1","max_tokens":16,"messages":[{"role":"user","content":"[[sim:id=%s]] Hi"}]}
                """.formatted(id)).post("/anthropic/v1/messages");

        assertRefused(response, 404, "not_found_error").doesNotContain("model: claude-nope-1")
                .contains("Upstream request-id: req_");
        assertThat(counter(id, "requests")).as("a 404 is not retried").isEqualTo(1);
    }

    @Test
    void aTokenCountIsRetriedThroughAnOverload() {
        String id = uniqueId();
        // A queued fault is the only kind a count takes; it is the next request's, whoever sends it.
        given().contentType("application/json").body("{\"fault\":\"529\"}").post("/simulator/admin/faults").then()
                .statusCode(204);
        Response response;
        try {
            response = door().body("""
                    {"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"[[sim:id=%s]] Count me"}]}
                    """.formatted(id)).post("/anthropic/v1/messages/count_tokens");
        } finally {
            given().delete("/simulator/admin/faults");
        }

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.jsonPath().getLong("input_tokens")).isPositive();
        assertThat(counter(id, "tokenCounts")).isEqualTo(2);
    }

    @Test
    void theModelListPassesItsPagingOn() {
        List<String> all = door().get("/anthropic/v1/models?limit=1000").then().statusCode(200).extract().jsonPath()
                .getList("data.id", String.class);

        Response page = door().get("/anthropic/v1/models?limit=2&after_id=" + all.get(0));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.jsonPath().getList("data.id", String.class)).containsExactly(all.get(1), all.get(2));
        assertThat(page.jsonPath().getBoolean("has_more")).isTrue();
        assertThat(door().get("/anthropic/v1/models/" + MODEL).jsonPath().getString("id")).isEqualTo(MODEL);
        assertRefused(door().get("/anthropic/v1/models/claude-nope-1"), 404, "not_found_error");
    }

    @Test
    void whatTheFrontDoorDoesNotServeIsRefusedInAnthropicsShape() {
        assertRefused(door().body("{}").post("/anthropic/v1/messages/batches"), 404, "not_found_error");
        assertRefused(door().get("/anthropic/v1/messages"), 405, "invalid_request_error");
        assertRefused(door().body(message(uniqueId(), "Hi").replace("{\"model\"", "{\"stream\":\"yes\",\"model\""))
                .post("/anthropic/v1/messages"), 400, "invalid_request_error").contains("stream");
    }

    // ---------------------------------------------------------------- streams

    @Test
    void aStreamArrivesByteForByteAsTheUpstreamSentIt() {
        String id = uniqueId();
        // Thinking (its deltas and signature), and a field parley does not read.
        String body = """
                {"model":"claude-sonnet-4-6","max_tokens":2000,"stream":true,"metadata":{"user_id":"u-7"},
                 "thinking":{"type":"enabled","budget_tokens":1024},
                 "messages":[{"role":"user","content":"[[sim:id=%s]] [[sim:thinking=20]] [[sim:tokens=6]] Hi"}]}
                """.formatted(id);

        String direct = given().header("x-api-key", "parley-simulator-key").header("anthropic-version", "2023-06-01")
                .contentType("application/json").body(body).post("/simulator/v1/messages").then().statusCode(200)
                .extract().asString();
        Response through = door().body(body).post("/anthropic/v1/messages");

        assertThat(through.statusCode()).isEqualTo(200);
        assertThat(through.contentType()).startsWith("text/event-stream");
        assertThat(through.header("request-id")).startsWith("req_");
        // The same request twice: the same events, framed the same, but for the ids of each reply.
        assertThat(withoutIds(through.asString())).isEqualTo(withoutIds(direct))
                .contains("event: content_block_delta").contains("\"thinking_delta\"").contains("\"signature_delta\"")
                .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        assertThat(upstreamRequestTree(id).get(1).at("/body/metadata/user_id").asText()).isEqualTo("u-7");
    }

    @Test
    void aStreamCutAfterItsFirstContentEndsWithAnErrorEvent() {
        String id = uniqueId();

        Response cut = door().body(message(id, "[[sim:tokens=10]] [[sim:fault=drop after=3]]")
                .replace("{\"model\"", "{\"stream\":true,\"model\"")).post("/anthropic/v1/messages");

        assertThat(cut.statusCode()).as("the stream had begun").isEqualTo(200);
        String[] events = cut.asString().split("\n\n");
        assertThat(events).filteredOn(event -> event.startsWith("event: content_block_delta")).hasSize(3);
        assertThat(events[events.length - 1]).startsWith("event: error\ndata: {\"type\":\"error\",\"error\":"
                + "{\"type\":\"api_error\"").contains("\"request_id\":\"");
        assertThat(counter(id, "requests")).as("never retried once content was sent").isEqualTo(1);
    }

    @Test
    void aStreamThatFailsBeforeItsFirstContentIsRetriedUnseen() {
        String id = uniqueId();

        Response stream = door().body(message(id, "[[sim:fault=error-event after=0]] [[sim:reply=Second time.]]")
                .replace("{\"model\"", "{\"stream\":true,\"model\"")).post("/anthropic/v1/messages");

        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.asString()).startsWith("event: message_start\n").doesNotContain("event: error")
                .contains("event: message_stop");
        assertThat(stream.asString().split("event: message_start")).hasSize(2);
        assertThat(counter(id, "requests")).isEqualTo(2);
    }

    // ---------------------------------------------------------------- helpers

    /** A stream's text with the ids that differ per reply (message, signature, request) blanked. */
    private static String withoutIds(String stream) {
        return stream.replaceAll("\"(id|signature|request_id)\":\"[^\"]*\"", "\"$1\":\"…\"");
    }

    private static RequestSpecification door() {
        return given().contentType("application/json").header("anthropic-version", "2023-06-01");
    }

    private static String message(String id, String text) {
        return "{\"model\":\"" + MODEL + "\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"[[sim:id="
                + id + "]] " + text + "\"}]}";
    }

    /** Anthropic's error shape with parley's request id, and no retry; the message, for more checks. */
    private static org.assertj.core.api.AbstractStringAssert<?> assertRefused(Response response, int status,
            String type) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.jsonPath().getString("type")).isEqualTo("error");
        assertThat(response.jsonPath().getString("error.type")).isEqualTo(type);
        assertThat(response.jsonPath().getString("request_id")).isNotBlank();
        assertThat(response.header("request-id")).isEqualTo(response.jsonPath().getString("request_id"));
        assertThat(response.header("x-should-retry")).isEqualTo("false");
        return assertThat(response.jsonPath().getString("error.message"));
    }

    private static String uniqueId() {
        return "edge-" + UUID.randomUUID();
    }
}
