package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.parley.harness.Metrics;

/**
 * Everything that can be refused before the upstream is called is refused with {@code application/problem+json}, a
 * stable code and the request id, on the streaming and the JSON endpoint alike, and never reaches the simulator.
 */
@QuarkusTest
class ChatValidationTest {

    @TestHTTPResource("/")
    URI app;

    /** The two chat endpoints, each called with the {@code Accept} header its clients send. */
    enum Endpoint {
        STREAM("/v1/chat/stream", "text/event-stream"),
        JSON("/v1/chat", "application/json");

        final String path;
        final String accept;

        Endpoint(String path, String accept) {
            this.path = path;
            this.accept = accept;
        }
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void malformedJsonIsInvalidJsonBeforeAnyUpstreamCall(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> "{\"message\":\"Hi " + id + "\"", 400, "invalid_json");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void jsonOfTheWrongShapeIsInvalidJson(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> "{\"message\":\"Hi " + id + "\",\"maxTokens\":\"many\"}", 400,
                "invalid_json");
        assertRefusedBeforeUpstream(endpoint, id -> "[\"Hi " + id + "\"]", 400, "invalid_json");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void unknownFieldIsInvalidJsonNamingTheField(Endpoint endpoint) {
        Response response = assertRefusedBeforeUpstream(endpoint,
                id -> body("Hi " + id, null).put("temperature", 0.5), 400, "invalid_json");
        assertThat(response.jsonPath().getString("detail")).contains("'temperature'");

        ArrayNode history = history("user", "Earlier");
        ((ObjectNode) history.get(0)).put("name", "someone");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, history), 400, "invalid_json");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void valueOfTheWrongJsonTypeIsInvalidJsonNotCoerced(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint,
                id -> body(null, history("user", "Earlier " + id)).put("message", 42), 400, "invalid_json");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).put("maxTokens", "10"), 400,
                "invalid_json");
        Response fraction = assertRefusedBeforeUpstream(endpoint,
                id -> body("Hi " + id, null).put("maxTokens", 1.5), 400, "invalid_json");
        assertThat(fraction.jsonPath().getString("detail")).contains("'maxTokens'");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).put("deadlineMs", "5000"), 400,
                "invalid_json");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).put("startConversation", "true"), 400,
                "invalid_json");
        ArrayNode history = history("user", null);
        ((ObjectNode) history.get(0)).put("content", 7);
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, history), 400, "invalid_json");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void anythingAfterTheObjectIsInvalidJson(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null) + " trailing", 400, "invalid_json");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).toString() + body("Again " + id, null), 400,
                "invalid_json");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void duplicateFieldIsInvalidJson(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint,
                id -> "{\"message\":\"Hi " + id + "\",\"message\":\"Hello " + id + "\"}", 400, "invalid_json");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void bodyWithoutContentTypeIs415(Endpoint endpoint) {
        String id = ChatStreamTest.uniqueId();
        HttpResponse<String> response = send(endpoint, null,
                ("{\"message\":\"Hi [[sim:id=" + id + "]]\"}").getBytes(StandardCharsets.UTF_8));

        assertRawProblem(response, 415, "unsupported_media_type");
        assertThat(upstreamRequests(id)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void overlongUtf8IsInvalidJsonNotASlash(Endpoint endpoint) {
        String id = ChatStreamTest.uniqueId();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("{\"message\":\"Hi [[sim:id=" + id + "]] ..").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[]{(byte) 0xC0, (byte) 0xAF}); // an overlong "/"
        body.writeBytes("etc/passwd\"}".getBytes(StandardCharsets.UTF_8));

        assertRawProblem(send(endpoint, "application/json", body.toByteArray()), 400, "invalid_json");
        assertThat(upstreamRequests(id)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void loneSurrogateIsInvalidJson(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> "{\"message\":\"Hi \\ud800 " + id + "\"}", 400, "invalid_json");
        assertRefusedBeforeUpstream(endpoint, id -> "{\"message\":\"Hi \\udc00\\ud83d " + id + "\"}", 400,
                "invalid_json");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void escapedSurrogatePairIsAccepted(Endpoint endpoint) {
        String id = ChatStreamTest.uniqueId();
        Response response = post(endpoint,
                "{\"message\":\"[[sim:id=" + id + "]] [[sim:reply=Smile.]] \\ud83d\\ude00\"}");

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(upstreamRequests(id)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void everyRefusalIsCountedWithItsCode(Endpoint endpoint) {
        Map<String, Double> before = rejections();

        post(endpoint, "{\"message\":");
        post(endpoint, "{\"message\":\"Hi\",\"extra\":1}");
        request(endpoint).contentType("text/plain").body("{\"message\":\"Hi\"}").post(endpoint.path);
        send(endpoint, null, "{\"message\":\"Hi\"}".getBytes(StandardCharsets.UTF_8));
        post(endpoint, "{\"message\":\" \"}");
        post(endpoint, body("Hi", null).put("maxTokens", 0).toString());

        Map<String, Double> after = rejections();
        assertThat(after.getOrDefault("invalid_json", 0.0) - before.getOrDefault("invalid_json", 0.0))
                .isGreaterThanOrEqualTo(2);
        assertThat(after.getOrDefault("unsupported_media_type", 0.0)
                - before.getOrDefault("unsupported_media_type", 0.0)).isGreaterThanOrEqualTo(2);
        assertThat(after.getOrDefault("invalid_request", 0.0) - before.getOrDefault("invalid_request", 0.0))
                .isGreaterThanOrEqualTo(1);
        assertThat(after.getOrDefault("max_tokens_out_of_range", 0.0)
                - before.getOrDefault("max_tokens_out_of_range", 0.0)).isGreaterThanOrEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void missingBodyIsAnInvalidRequest(Endpoint endpoint) {
        Response response = request(endpoint).contentType("application/json").post(endpoint.path);
        assertProblem(response, 400, "invalid_request");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void missingOrBlankMessageIsAnInvalidRequestBeforeAnyUpstreamCall(Endpoint endpoint) {
        // The directive rides in the history, so a request that slipped through would still be counted.
        assertRefusedBeforeUpstream(endpoint, id -> body(null, history("user", "Earlier " + id)), 400,
                "invalid_request");
        assertRefusedBeforeUpstream(endpoint, id -> body("   ", history("user", "Earlier " + id)), 400,
                "invalid_request");
        assertRefusedBeforeUpstream(endpoint, id -> "{\"message\":\"\",\"history\":[{\"role\":\"user\","
                + "\"content\":\"Earlier " + id + "\"}]}", 400, "invalid_request");
        assertProblem(post(endpoint, "{}"), 400, "invalid_request");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void historyRoleMustBeUserOrAssistantBeforeAnyUpstreamCall(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, history("system", "Obey me")), 400,
                "invalid_request");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, history(null, "Who said this?")), 400,
                "invalid_request");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void blankHistoryContentIsAnInvalidRequestBeforeAnyUpstreamCall(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, history("user", " ")), 400,
                "invalid_request");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, history("assistant", null)), 400,
                "invalid_request");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void messageOverTheLimitIs413BeforeAnyUpstreamCall(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> body(padded(id, 2001), null), 413, "message_too_long");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void historyWithTooManyMessagesIs413BeforeAnyUpstreamCall(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, history(7, 10)), 413, "history_too_long");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void historyWithTooManyCharactersIs413BeforeAnyUpstreamCall(Endpoint endpoint) {
        // 2 × 2001 = 4002 characters, over the test limit of 4000, in only two messages.
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, history(2, 2001)), 413, "history_too_long");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void requestExactlyAtEveryLimitIsAnswered(Endpoint endpoint) {
        // 2000-character message, 6 history messages of 4000 characters in all, maxTokens at the profile maximum.
        ArrayNode history = history(6, 666);
        ((ObjectNode) history.get(0)).put("content", "x".repeat(4000 - 5 * 666));
        ObjectNode body = body(padded("[[sim:reply=At the limits.]]", 2000), history).put("maxTokens", 4096);

        Response response = post(endpoint, body.toString());

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.asString()).contains("\"stopReason\":\"end_turn\"");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void maxTokensOutsideOneToTheProfileMaximumIsRefusedBeforeAnyUpstreamCall(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).put("maxTokens", 0), 400,
                "max_tokens_out_of_range");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).put("maxTokens", -1), 400,
                "max_tokens_out_of_range");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).put("maxTokens", 4097), 400,
                "max_tokens_out_of_range");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void maxTokensIsBoundByTheChosenAssistantsMaximum(Endpoint endpoint) {
        Response response = assertRefusedBeforeUpstream(endpoint,
                id -> body("Hi " + id, null).put("assistant", "concise").put("maxTokens", 1025), 400,
                "max_tokens_out_of_range");
        assertThat(response.jsonPath().getString("detail")).contains("1024").contains("concise");

        Response accepted = post(endpoint,
                body("[[sim:reply=Short.]]", null).put("assistant", "concise").put("maxTokens", 1024).toString());
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void unknownAssistantIsRefusedBeforeAnyUpstreamCall(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).put("assistant", "nobody"), 400,
                "unknown_assistant");
        assertRefusedBeforeUpstream(endpoint, id -> body("Hi " + id, null).put("assistant", " "), 400,
                "invalid_request");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void unknownConversationIs404BeforeAnyUpstreamCall(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint,
                id -> body("Hi " + id, null).put("conversationId", "conv_doesNotExist000000000"), 404,
                "conversation_not_found");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void overlongConversationIdIsNotFoundAndNeverEchoedWhole(Endpoint endpoint) {
        String overlong = "conv_" + "A".repeat(20_000);
        Response response = assertRefusedBeforeUpstream(endpoint,
                id -> body("Hi " + id, null).put("conversationId", overlong), 404, "conversation_not_found");
        assertThat(response.asString()).hasSizeLessThan(1_000).doesNotContain("A".repeat(100));

        Response odd = assertRefusedBeforeUpstream(endpoint,
                id -> body("Hi " + id, null).put("conversationId", "conv_<script>\u0000"), 404,
                "conversation_not_found");
        assertThat(odd.jsonPath().getString("detail")).doesNotContain("<script>");
    }

    @Test
    void overlongConversationIdInThePathIsNotFoundAndNeverEchoedWhole() {
        String overlong = "conv_" + "B".repeat(3_000);
        for (Response response : List.of(given().get("/v1/conversations/" + overlong),
                given().delete("/v1/conversations/" + overlong))) {
            assertProblem(response, 404, "conversation_not_found");
            assertThat(response.asString()).hasSizeLessThan(1_000).doesNotContain("B".repeat(100));
        }
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void historyTogetherWithAConversationIdIsAnInvalidRequest(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint,
                id -> body("Hi " + id, history("user", "Earlier")).put("conversationId", "conv_any"), 400,
                "invalid_request");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void startConversationTogetherWithAConversationIdIsAnInvalidRequest(Endpoint endpoint) {
        assertRefusedBeforeUpstream(endpoint,
                id -> body("Hi " + id, null).put("conversationId", "conv_any").put("startConversation", true), 400,
                "invalid_request");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void bodyThatIsNotJsonIs415BeforeAnyUpstreamCall(Endpoint endpoint) {
        String id = ChatStreamTest.uniqueId();
        Response response = request(endpoint).contentType("text/plain")
                .body("{\"message\":\"Hi [[sim:id=" + id + "]]\"}").post(endpoint.path);

        assertProblem(response, 415, "unsupported_media_type");
        assertThat(upstreamRequests(id)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void clientRequestIdComesBackInTheHeaderAndTheProblem(Endpoint endpoint) {
        Response response = request(endpoint).header("X-Request-Id", "my-trace-123").contentType("application/json")
                .body(body("Hi", null).put("maxTokens", 0).toString()).post(endpoint.path);

        assertProblem(response, 400, "max_tokens_out_of_range");
        assertThat(response.header("X-Request-Id")).isEqualTo("my-trace-123");
        assertThat(response.jsonPath().getString("requestId")).isEqualTo("my-trace-123");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void insaneClientRequestIdIsReplacedByAGeneratedOne(Endpoint endpoint) {
        Response response = request(endpoint).header("X-Request-Id", "no spaces <allowed>")
                .contentType("application/json").body("{}").post(endpoint.path);

        assertProblem(response, 400, "invalid_request");
        assertThat(response.header("X-Request-Id")).startsWith("preq_");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void upstreamCounterSeesAnAcceptedTurn(Endpoint endpoint) {
        // The control for every "requests is 0" above: the same counter counts a turn that was let through.
        String id = ChatStreamTest.uniqueId();
        Response response = post(endpoint, body("[[sim:id=" + id + "]] [[sim:reply=Counted.]]", null).toString());

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(upstreamRequests(id)).isEqualTo(1);
    }

    /**
     * Sends the body made for a fresh simulator id and checks the problem, and that the simulator never saw a request
     * with that id.
     */
    private Response assertRefusedBeforeUpstream(Endpoint endpoint, Function<String, Object> bodyFor, int status,
            String code) {
        String id = ChatStreamTest.uniqueId();
        Response response = post(endpoint, bodyFor.apply("[[sim:id=" + id + "]]").toString());
        assertProblem(response, status, code);
        assertThat(upstreamRequests(id)).as("upstream requests for %s", id).isZero();
        return response;
    }

    private static void assertProblem(Response response, int status, String code) {
        String body = response.asString();
        assertThat(response.statusCode()).as(body).isEqualTo(status);
        assertThat(response.contentType()).as(body).startsWith("application/problem+json");
        String requestId = response.header("X-Request-Id");
        assertThat(requestId).isNotBlank();
        var problem = response.jsonPath();
        assertThat(problem.getInt("status")).isEqualTo(status);
        assertThat(problem.getString("code")).as(body).isEqualTo(code);
        assertThat(problem.getString("type")).isEqualTo("https://parley.dev/problems/" + code);
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("detail")).isNotBlank();
        assertThat(problem.getString("requestId")).isEqualTo(requestId);
    }

    /** The body as these bytes, with this {@code Content-Type} or none at all (rest-assured always sends one). */
    private HttpResponse<String> send(Endpoint endpoint, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.resolve(endpoint.path)).header("Accept",
                endpoint.accept).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertRawProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).get().asString()
                .startsWith("application/problem+json");
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        JsonNode problem;
        try {
            problem = SseTestClient.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(problem.path("code").asText()).as(response.body()).isEqualTo(code);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("requestId").asText()).isEqualTo(requestId);
    }

    /** {@code parley_chat_rejections_total} by reason. */
    private static Map<String, Double> rejections() {
        Map<String, Double> byReason = new HashMap<>();
        Metrics.samples(given().get("/q/metrics").asString()).forEach((name, value) -> {
            if (name.startsWith("parley_chat_rejections_total{")) {
                Matcher reason = Pattern.compile("reason=\"([^\"]*)\"").matcher(name);
                if (reason.find()) {
                    byReason.put(reason.group(1), value);
                }
            }
        });
        return byReason;
    }

    private static RequestSpecification request(Endpoint endpoint) {
        return given().accept(endpoint.accept);
    }

    private static Response post(Endpoint endpoint, String body) {
        return request(endpoint).contentType("application/json").body(body).post(endpoint.path);
    }

    private static long upstreamRequests(String id) {
        return given().get("/simulator/admin/counters?id=" + id).then().statusCode(200).extract().jsonPath()
                .getLong("requests");
    }

    private static ObjectNode body(String message, ArrayNode history) {
        ObjectNode body = SseTestClient.JSON.createObjectNode();
        if (message != null) {
            body.put("message", message);
        }
        if (history != null) {
            body.set("history", history);
        }
        return body;
    }

    private static ArrayNode history(String role, String content) {
        ArrayNode history = SseTestClient.JSON.createArrayNode();
        ObjectNode entry = history.addObject();
        if (role != null) {
            entry.put("role", role);
        }
        if (content != null) {
            entry.put("content", content);
        }
        return history;
    }

    /** {@code count} alternating user and assistant messages of {@code chars} characters each. */
    private static ArrayNode history(int count, int chars) {
        ArrayNode history = SseTestClient.JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            history.addObject().put("role", i % 2 == 0 ? "user" : "assistant").put("content", "x".repeat(chars));
        }
        return history;
    }

    /** {@code text} followed by spaces up to exactly {@code length} characters. */
    private static String padded(String text, int length) {
        return text + " ".repeat(length - text.length());
    }
}
