package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static dev.parley.api.SseTestClient.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.Metrics;

/**
 * Tools that need approval, over real HTTP: {@code calculate} waits for its caller's answer to
 * {@code POST /v1/chat/turns/{turnId}/approvals/{callId}}, behind a gateway that names callers, so another caller's
 * answer can be tried.
 */
@QuarkusTest
@TestProfile(ToolApprovalsTest.CalculateNeedsApproval.class)
class ToolApprovalsTest {

    static final String CALLER_HEADER = "X-Parley-Caller";
    static final String CALLER = "alice";

    /** {@code calculate} needs approval, answered within 3 s; callers named by the gateway's header. */
    public static class CalculateNeedsApproval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.tools.needs-approval", "calculate", "parley.tools.approval-timeout", "3s",
                    "parley.auth.mode", "gateway");
        }
    }

    @TestHTTPResource("/")
    URI app;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SseTestClient sse;
    private String id;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app, Map.of(CALLER_HEADER, CALLER));
        id = uniqueId();
    }

    @Test
    void anApprovedCallRunsAndTheReplyGoesOnWithItsResult() {
        List<Integer> answers = new ArrayList<>();
        StreamReply reply = calculating("6*7", (turnId, asked) -> {
            answers.add(answer(CALLER, turnId, asked.path("callId").asText(), "approve").status());
            return true;
        });
        assertThat(answers).containsExactly(204);
        assertThat(reply.names()).containsSubsequence("tool_call", "tool_approval", "tool_result", "text", "done");
        Frame call = event(reply, "tool_call");
        JsonNode asked = event(reply, "tool_approval").data();
        assertThat(asked.path("type").asText()).isEqualTo("tool_approval");
        assertThat(asked.path("callId").asText()).isEqualTo(call.data().path("id").asText());
        assertThat(asked.path("name").asText()).isEqualTo("calculate");
        assertThat(asked.path("input").path("expression").asText()).isEqualTo("6*7");
        JsonNode result = event(reply, "tool_result").data();
        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("output").asText()).isEqualTo("42");
        assertThat(reply.text()).contains("42");
        assertThat(reply.last().data().path("roundCount").asInt()).isEqualTo(2);
    }

    @Test
    void aDeniedCallIsNotRunAndTheModelIsToldTheUserDeniedIt() {
        double before = toolCalls("denied");
        StreamReply reply = calculating("2+2", (turnId, asked) -> {
            answer(CALLER, turnId, asked.path("callId").asText(), "deny").is(204, null);
            return true;
        });
        JsonNode result = event(reply, "tool_result").data();
        assertThat(result.path("isError").asBoolean()).isTrue();
        assertThat(result.path("error").asText()).isEqualTo("The user denied this tool call.");
        assertThat(reply.last().event()).isEqualTo("done");
        // The model got the denial as the call's error result, and answered knowing it.
        JsonNode sent = sse.getJson("/simulator/admin/requests?id=" + id).get(1).path("body").path("messages");
        JsonNode denial = sent.get(sent.size() - 1).path("content").get(0);
        assertThat(denial.path("is_error").asBoolean()).isTrue();
        assertThat(denial.path("content").get(0).path("text").asText()).isEqualTo("The user denied this tool call.");
        assertThat(reply.text()).contains("The user denied this tool call.");
        assertThat(toolCalls("denied")).isEqualTo(before + 1);
    }

    @Test
    void aCallNobodyAnswersTimesOutWhileHeartbeatsKeepTheStreamOpen() {
        double before = toolCalls("approval_timeout");
        StreamReply reply = calculating("3*3", (turnId, asked) -> false);
        JsonNode result = event(reply, "tool_result").data();
        assertThat(result.path("isError").asBoolean()).isTrue();
        assertThat(result.path("error").asText()).isEqualTo("No one approved this tool call within 3 s.");
        assertThat(reply.last().event()).isEqualTo("done");
        // Heartbeats (every 300 ms in tests) went on while the turn waited.
        List<Frame> frames = reply.frames();
        int asked = indexOf(frames, "tool_approval");
        int returned = indexOf(frames, "tool_result");
        assertThat(frames.subList(asked, returned)).filteredOn(Frame::isComment).hasSizeGreaterThanOrEqualTo(2);
        assertThat(toolCalls("approval_timeout")).isEqualTo(before + 1);
        // Too late: the call no longer waits.
        answer(CALLER, reply.start().data().path("turnId").asText(), result.path("id").asText(), "approve").is(404,
                "turn_not_found");
    }

    @Test
    void onlyTheTurnsCallerMayAnswerAndUnknownIdsAreNotFound() {
        StreamReply reply = calculating("1+1", (turnId, asked) -> {
            String callId = asked.path("callId").asText();
            answer("mallory", turnId, callId, "approve").is(404, "turn_not_found");
            answer(CALLER, "no-such-turn", callId, "approve").is(404, "turn_not_found");
            answer(CALLER, turnId, "toolu_nosuchcall", "approve").is(404, "turn_not_found");
            // The foreign answer changed nothing: the caller's own still counts.
            answer(CALLER, turnId, callId, "approve").is(204, null);
            return true;
        });
        assertThat(event(reply, "tool_result").data().path("output").asText()).isEqualTo("2");
    }

    @Test
    void aCallIsAnsweredOnceAndASecondAnswerIsAConflict() {
        StreamReply reply = calculating("5-1", (turnId, asked) -> {
            String callId = asked.path("callId").asText();
            answer(CALLER, turnId, callId, "deny").is(204, null);
            answer(CALLER, turnId, callId, "approve").is(409, "approval_already_given");
            return true;
        });
        assertThat(event(reply, "tool_result").data().path("error").asText())
                .isEqualTo("The user denied this tool call.");
    }

    @Test
    void anAnswerThatIsNotApproveOrDenyIsRefused() {
        String path = "/v1/chat/turns/some-turn/approvals/some-call";
        given().header(CALLER_HEADER, CALLER).contentType("application/json").body("{\"decision\":\"maybe\"}")
                .post(path).then().statusCode(400).body("code", equalTo("invalid_request"));
        given().header(CALLER_HEADER, CALLER).contentType("application/json")
                .body("{\"decision\":\"approve\",\"forever\":true}").post(path).then().statusCode(400)
                .body("code", equalTo("invalid_json"));
        given().header(CALLER_HEADER, CALLER).contentType("application/json").body("{\"decision\":true}").post(path)
                .then().statusCode(400).body("code", equalTo("invalid_json"));
        given().header(CALLER_HEADER, CALLER).contentType("application/json").body("").post(path).then()
                .statusCode(400).body("code", equalTo("invalid_request"));
    }

    @Test
    void theOneShotEndpointHasNobodyToAskSoItDeniesTheCallAndSaysSo() {
        double before = toolCalls("denied");
        JsonNode response = SseTestClient.JSON.valueToTree(given().header(CALLER_HEADER, CALLER)
                .contentType("application/json")
                .body(json(Map.of("message", "[[sim:id=" + id + "]] [[sim:tool=calculate {\"expression\":\"8/2\"}]]")))
                .post("/v1/chat").then().statusCode(200).extract().as(Map.class));
        JsonNode call = response.path("toolCalls").get(0);
        assertThat(call.path("name").asText()).isEqualTo("calculate");
        assertThat(call.path("isError").asBoolean()).isTrue();
        assertThat(call.path("error").asText()).startsWith("The user denied this tool call")
                .contains("POST /v1/chat");
        assertThat(response.path("text").asText()).contains("The user denied this tool call");
        assertThat(toolCalls("denied")).isEqualTo(before + 1);
    }

    /** Streams a turn whose model calls {@code calculate}; {@code onAsked} answers, and says whether it did. */
    StreamReply calculating(String expression, Asked onAsked) {
        String[] turnId = new String[1];
        boolean[] answered = new boolean[1];
        return sse.stream(json(Map.of("message", "[[sim:id=" + id + "]] [[sim:tool=calculate {\"expression\":\""
                + expression + "\"}]]")), frame -> {
                    if ("start".equals(frame.event())) {
                        turnId[0] = frame.data().path("turnId").asText();
                    } else if ("tool_approval".equals(frame.event()) && !answered[0]) {
                        answered[0] = onAsked.answer(turnId[0], frame.data());
                    }
                    return false;
                });
    }

    @FunctionalInterface
    interface Asked {
        boolean answer(String turnId, JsonNode approval);
    }

    /** What an answer was answered: its status, and the problem's code and content type when there is one. */
    record Answered(int status, String contentType, String code) {
        void is(int expectedStatus, String expectedCode) {
            assertThat(status).as("status (problem %s)", code).isEqualTo(expectedStatus);
            if (expectedCode != null) {
                assertThat(contentType).startsWith("application/problem+json");
                assertThat(code).isEqualTo(expectedCode);
            }
        }
    }

    /** Answers through the JDK client, warm and quick: the turn waits only for the approval timeout. */
    private Answered answer(String caller, String turnId, String callId, String decision) {
        HttpRequest request = HttpRequest.newBuilder(app.resolve("/v1/chat/turns/" + turnId + "/approvals/" + callId))
                .header(CALLER_HEADER, caller).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"decision\":\"" + decision + "\"}")).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String code = response.body().isEmpty()
                    ? null
                    : SseTestClient.JSON.readTree(response.body()).path("code")
                            .asText();
            return new Answered(response.statusCode(), response.headers().firstValue("content-type").orElse(null),
                    code);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private double toolCalls(String outcome) {
        return Metrics.samples(given().get("/q/metrics").asString())
                .getOrDefault("parley_tool_calls_total{outcome=\"" + outcome + "\",tool=\"calculate\"}", 0.0);
    }

    static Frame event(StreamReply reply, String name) {
        return reply.events().stream().filter(frame -> name.equals(frame.event())).findFirst().orElseThrow(
                () -> new AssertionError("no " + name + " event in " + reply.names()));
    }

    private static int indexOf(List<Frame> frames, String name) {
        for (int i = 0; i < frames.size(); i++) {
            if (name.equals(frames.get(i).event())) {
                return i;
            }
        }
        throw new AssertionError("no " + name + " event");
    }
}
