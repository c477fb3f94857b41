package dev.parley.frontdoor;

import static dev.parley.frontdoor.DoorWitness.counter;
import static dev.parley.frontdoor.DoorWitness.upstreamBody;
import static dev.parley.frontdoor.DoorWitness.upstreamRequests;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.beta.AnthropicBeta;
import com.anthropic.models.beta.messages.BetaFallbackMessageIterationUsage;
import com.anthropic.models.beta.messages.BetaFallbackParam;
import com.anthropic.models.beta.messages.BetaMessage;
import com.anthropic.models.beta.messages.BetaMessageIterationUsage;
import com.anthropic.models.beta.messages.BetaUsage;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.models.ModelInfo;
import com.anthropic.models.models.ModelListParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

import dev.parley.api.CallerAuthentication;
import dev.parley.harness.LedgerRows;
import dev.parley.harness.Metrics;
import dev.parley.harness.RawHttp;

/**
 * The official Anthropic Java SDK (a client nobody here wrote) pointed at parley's front door by its base URL and a
 * parley caller key only, with the simulator as the upstream. For each behaviour: what the SDK sees (its own typed
 * results and exceptions, its own retries), the ledger row parley wrote, and the request the simulator received.
 * Every test has its own {@code [[sim:id=…]]} and {@code X-Request-Id}.
 */
@QuarkusTest
@TestProfile(FrontDoorJavaSdkTest.Callers.class)
class FrontDoorJavaSdkTest extends JavaSdkAtTheDoor {

    static final String MODEL = "claude-sonnet-4-6";
    static final String DOOR_KEY = "pk-door-0123456789abcdef";
    static final String NARROW_KEY = "pk-narrow-0123456789abcdef";
    static final String BROKE_KEY = "pk-broke-0123456789abcdef";
    static final String BUDGETED_KEY = "pk-budgeted-0123456789abcdef";
    static final String STANDBY_KEY = "pk-standby-0123456789abcdef";
    private static final ObjectMapper SDK_JSON = ObjectMappers.jsonMapper();
    private static final String OSLO = "{\"city\":\"Oslo\",\"unit\":\"celsius\"}";

    /**
     * Four callers by key: {@code door} with the default policy (every model, no ceiling, the server-side fallback's
     * beta), {@code narrow}
     * (Haiku 4.5 only, at most 512 tokens), {@code broke} (a budget of a hundredth of a cent a day) and
     * {@code budgeted} ($5 a day).
     */
    public static class Callers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("parley.auth.mode", "api-key"),
                    Map.entry("parley.auth.keys.door.sha256", CallerAuthentication.sha256(DOOR_KEY)),
                    Map.entry("parley.auth.keys.narrow.sha256", CallerAuthentication.sha256(NARROW_KEY)),
                    Map.entry("parley.auth.keys.broke.sha256", CallerAuthentication.sha256(BROKE_KEY)),
                    Map.entry("parley.auth.keys.budgeted.sha256", CallerAuthentication.sha256(BUDGETED_KEY)),
                    Map.entry("parley.auth.keys.standby.sha256", CallerAuthentication.sha256(STANDBY_KEY)),
                    Map.entry("parley.front-door.callers.standby.fallback-models", "claude-haiku-4-5"),
                    Map.entry("parley.front-door.callers.standby.betas", "server-side-fallback-2026-07-01"),
                    Map.entry("parley.front-door.callers.narrow.models", "claude-haiku-4-5"),
                    Map.entry("parley.front-door.callers.narrow.max-tokens", "512"),
                    Map.entry("parley.front-door.default.betas", "server-side-fallback-2026-07-01"),
                    Map.entry("parley.budgets.callers.broke.daily-usd", "0.0001"),
                    Map.entry("parley.budgets.callers.budgeted.daily-usd", "5"));
        }
    }

    // ---------------------------------------------------------------- messages, as the upstream answered them

    @Test
    void aMessageIsTheUpstreamsMessageMeteredInTheLedger() throws SQLException {
        String id = uniqueId();
        MessageCreateParams params = ask(id, "Hi [[sim:reply=Hello through the door.]]").build();

        HttpResponseFor<Message> response = client(DOOR_KEY).messages().withRawResponse().create(params);
        Message message = response.parse();

        assertThat(text(message)).isEqualTo("Hello through the door.");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(response.requestId()).hasValueSatisfying(requestId -> assertThat(requestId).startsWith("req_"));
        assertThat(response.headers().names()).contains("anthropic-ratelimit-requests-limit")
                .doesNotContain("parley-simulator");

        Map<String, Object> row = door.awaitRow(id);
        assertThat(row).containsEntry("outcome", "ok").containsEntry("caller", "door")
                .containsEntry("assistant", "front-door").containsEntry("model", MODEL).containsEntry("rounds", 1)
                .containsEntry("output_tokens_final", true).containsEntry("stop_reason", "end_turn")
                .containsEntry("service_tier", "standard").containsEntry("served_models", MODEL);
        assertThat(row.get("input_tokens")).isEqualTo(message.usage().inputTokens());
        assertThat(row.get("output_tokens")).isEqualTo(message.usage().outputTokens());
        // Sonnet 4.6: $3 per million input tokens, $15 per million output tokens.
        assertThat((BigDecimal) row.get("cost_usd")).isEqualByComparingTo(BigDecimal
                .valueOf(message.usage().inputTokens() * 3 + message.usage().outputTokens() * 15).movePointLeft(6));
        assertThat(LedgerRows.rounds(door.ledger(), (String) row.get("turn_id"))).singleElement().satisfies(round -> {
            assertThat(round).containsEntry("upstream_request_id", response.requestId().orElseThrow())
                    .containsEntry("message_id", message.id()).containsEntry("served_by", MODEL);
        });

        JsonPath upstream = upstreamRequests(id);
        assertThat(upstream.getList("$")).hasSize(1);
        assertThat(upstream.getString("[0].path")).isEqualTo("/simulator/v1/messages");
        assertThat(upstream.getString("[0].headers.'x-api-key'")).as("parley's own key").isEqualTo("(present)");
        assertThat(upstream.getMap("[0].headers")).as("none of the client's other headers")
                .doesNotContainKeys("authorization", "x-stainless-retry-count", "x-stainless-lang", "x-request-id");
        assertThat(upstream.getString("[0].headers.'anthropic-version'")).as("the SDK's own version")
                .isEqualTo(sdkRequestHeader("anthropic-version"));
        assertThat(upstreamBody(id, 0)).as("the body as the SDK sent it")
                .isEqualTo(sent(params));
    }

    @Test
    void aClientSideToolRoundTripPassesBothRounds() throws SQLException {
        String id = uniqueId();
        AnthropicClient client = client(DOOR_KEY);
        MessageCreateParams.Builder first = ask(id, "Weather in Oslo? [[sim:tool=get_weather " + OSLO + "]]")
                .addTool(weatherTool());

        Message call = client.messages().create(first.build());

        assertThat(call.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock toolUse = call.content().stream().filter(ContentBlock::isToolUse).map(ContentBlock::asToolUse)
                .findFirst().orElseThrow();
        assertThat(toolUse.name()).isEqualTo("get_weather");
        assertThat((JsonNode) SDK_JSON.valueToTree(toolUse._input())).isEqualTo(json(OSLO));

        String secondRequestId = uniqueId();
        MessageCreateParams second = first.addMessage(call)
                .addUserMessageOfContentBlockParams(
                        List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                                .toolUseId(toolUse.id()).content("4 degrees and sleet").build())))
                .replaceAdditionalHeaders("X-Request-Id", secondRequestId).build();
        Message answer = client.messages().create(second);

        assertThat(answer.stopReason()).contains(StopReason.END_TURN);
        assertThat(text(answer)).contains("4 degrees and sleet");
        assertThat(door.awaitRow(id)).containsEntry("stop_reason", "tool_use").containsEntry("outcome", "ok");
        assertThat(door.awaitRow(secondRequestId)).containsEntry("stop_reason", "end_turn")
                .containsEntry("input_tokens", answer.usage().inputTokens());
        assertThat(upstreamRequests(id).getList("$")).hasSize(2);
        JsonNode secondBody = upstreamBody(id, 1);
        assertThat(secondBody).isEqualTo(sent(second));
        assertThat(secondBody.at("/messages/2/content/0/tool_use_id").asText()).isEqualTo(toolUse.id());
    }

    @Test
    void countTokensIsTheMessagesInputAndIsNotMetered() throws SQLException {
        String id = uniqueId();
        String question = "[[sim:id=" + id + "]] What is the weather in Oslo today? [[sim:reply=Cold.]]";
        MessageCountTokensParams count = MessageCountTokensParams.builder().model(MODEL)
                .system("You are a terse weather assistant.").addTool(weatherTool()).addUserMessage(question)
                .putAdditionalHeader("X-Request-Id", id + "-count").build();
        MessageCreateParams create = MessageCreateParams.builder().model(MODEL).maxTokens(64)
                .system("You are a terse weather assistant.").addTool(weatherTool()).addUserMessage(question)
                .putAdditionalHeader("X-Request-Id", id).build();
        AnthropicClient client = client(DOOR_KEY);

        long counted = client.messages().countTokens(count).inputTokens();
        Message message = client.messages().create(create);

        assertThat(counted).isPositive().isEqualTo(message.usage().inputTokens());
        assertThat(counter(id, "tokenCounts")).isEqualTo(1);
        door.awaitRow(id);
        assertThat(LedgerRows.byRequestId(door.ledger(), id + "-count")).as("a free count has no ledger row").isEmpty();
    }

    @Test
    void theModelListPagesThroughTheUpstreamsCatalog() {
        List<String> catalog = given().header("x-api-key", "parley-simulator-key")
                .header("anthropic-version", "2023-06-01").get("/simulator/v1/models?limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("data.id", String.class);
        AnthropicClient client = client(DOOR_KEY);

        List<String> paged = client.models().list(ModelListParams.builder().limit(4L).build()).autoPager().stream()
                .map(ModelInfo::id).toList();

        assertThat(paged).isNotEmpty().containsExactlyElementsOf(catalog);
        assertThat(client.models().retrieve(MODEL).displayName()).isEqualTo("Claude Sonnet 4.6");
    }

    @Test
    void aServerSideFallbackIsPricedHopByHop() throws SQLException {
        String id = uniqueId();
        com.anthropic.models.beta.messages.MessageCreateParams params = com.anthropic.models.beta.messages.MessageCreateParams
                .builder().model(Model.CLAUDE_FABLE_5_2).maxTokens(300)
                .addUserMessage("[[sim:id=" + id + "]] [[sim:refuse-on=claude-fable-5-2]] [[sim:reply=Served.]]")
                .addBeta(AnthropicBeta.SERVER_SIDE_FALLBACK_2026_07_01)
                .fallbacksOfFallbackParams(List.of(BetaFallbackParam.builder().model(Model.CLAUDE_OPUS_5_5).build()))
                .putAdditionalHeader("X-Request-Id", id).build();

        BetaMessage message = client(DOOR_KEY).beta().messages().create(params);

        assertThat(message.model()).isEqualTo(Model.CLAUDE_OPUS_5_5);
        List<BetaUsage.Iteration> hops = message.usage().iterations().orElseThrow();
        BetaMessageIterationUsage declined = hops.get(0).asMessage();
        BetaFallbackMessageIterationUsage served = hops.get(1).asFallbackMessage();
        Map<String, Object> row = door.awaitRow(id);
        assertThat(row).containsEntry("model", "claude-fable-5-2")
                .containsEntry("served_models", "claude-fable-5-2,claude-opus-5-5");
        // Each hop at its own model: Fable 5.2 at $8 / $40 per million, Opus 5.5 at $4 / $20.
        assertThat((BigDecimal) row.get("cost_usd")).isEqualByComparingTo(BigDecimal.valueOf(declined.inputTokens() * 8
                + declined.outputTokens() * 40 + served.inputTokens() * 4 + served.outputTokens() * 20)
                .movePointLeft(6));
        assertThat(upstreamRequests(id).getString("[0].headers.'anthropic-beta'"))
                .isEqualTo("server-side-fallback-2026-07-01");
    }

    // ---------------------------------------------------------------- refusals, as the SDK's typed errors

    @Test
    void aWrongKeyIsAnAuthenticationErrorAndNeverReachesTheUpstream() {
        String id = uniqueId();

        UnauthorizedException e = assertThrows(UnauthorizedException.class,
                () -> client("pk-not-a-caller-0000").messages().create(ask(id, "Hi").build()));

        assertRefusal(e, 401, ErrorType.AUTHENTICATION_ERROR);
        assertThat(e.getMessage()).doesNotContain("pk-not-a-caller-0000");
        assertThat(counter(id, "requests")).isZero();
    }

    @Test
    void aModelOutsideTheCallersPolicyIsAPermissionError() {
        String id = uniqueId();

        PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                () -> client(NARROW_KEY).messages().create(ask(id, "Hi").build()));

        assertRefusal(e, 403, ErrorType.PERMISSION_ERROR);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message).contains(MODEL));
        assertThat(counter(id, "requests")).isZero();
        // A fallback is a model the request may be served by: the policy holds for it too.
        PermissionDeniedException fallback = assertThrows(PermissionDeniedException.class,
                () -> client(NARROW_KEY).beta().messages()
                        .create(com.anthropic.models.beta.messages.MessageCreateParams.builder()
                                .model(Model.CLAUDE_HAIKU_4_5).maxTokens(100).addUserMessage("[[sim:id=" + id + "]] Hi")
                                .addBeta(AnthropicBeta.SERVER_SIDE_FALLBACK_2026_07_01)
                                .fallbacksOfFallbackParams(List.of(BetaFallbackParam.builder().model(MODEL).build()))
                                .build()));
        assertThat(fallback.apiMessage()).hasValueSatisfying(message -> assertThat(message).contains(MODEL));
        assertThat(counter(id, "requests")).isZero();
    }

    @Test
    void maxTokensAboveTheCallersCeilingIsABadRequest() {
        String id = uniqueId();

        BadRequestException e = assertThrows(BadRequestException.class, () -> client(NARROW_KEY).messages()
                .create(ask(id, "Hi").model("claude-haiku-4-5").maxTokens(1024).build()));

        assertRefusal(e, 400, ErrorType.INVALID_REQUEST_ERROR);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message).contains("512"));
        assertThat(counter(id, "requests")).isZero();
        // Within the policy, the same caller is served.
        Message message = client(NARROW_KEY).messages()
                .create(ask(uniqueId(), "[[sim:reply=Small.]]").model("claude-haiku-4-5").maxTokens(512).build());
        assertThat(text(message)).isEqualTo("Small.");
    }

    @Test
    void aSpentBudgetIsARateLimitErrorThatStopsTheSdksRetries() {
        String id = uniqueId();

        RateLimitException e = assertThrows(RateLimitException.class,
                () -> client(BROKE_KEY).messages().create(ask(id, "Hi").build()));

        assertRefusal(e, 429, ErrorType.RATE_LIMIT_ERROR);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message).contains("day budget"));
        assertThat(e.headers().values("retry-after")).as("the day resets in more than a minute").isEmpty();
        assertThat(counter(id, "requests")).isZero();
        assertThat(counter(id, "tokenCounts")).as("one count: the SDK asked once").isEqualTo(1);
    }

    @Test
    void aBudgetedMessageAndStreamSettleTheirHoldsToTheirCosts() {
        String id = uniqueId();
        String streamId = uniqueId();
        BigDecimal spentBefore = new BigDecimal(day(BUDGETED_KEY).getString("windows.find { it.window == 'day' }"
                + ".spentUsd"));

        Message message = client(BUDGETED_KEY).messages().create(ask(id, "[[sim:tokens=30]]").build());
        MessageAccumulator streamed = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client(BUDGETED_KEY).messages()
                .createStreaming(ask(streamId, "[[sim:tokens=40]]").build())) {
            stream.stream().forEach(streamed::accumulate);
        }

        assertThat(message.usage().outputTokens()).isEqualTo(30);
        assertThat(streamed.message().usage().outputTokens()).isEqualTo(40);
        BigDecimal cost = (BigDecimal) door.awaitRow(id).get("cost_usd");
        BigDecimal streamCost = (BigDecimal) door.awaitRow(streamId).get("cost_usd");
        assertThat(cost).isPositive();
        assertThat(streamCost).isGreaterThan(cost);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath day = day(BUDGETED_KEY);
            assertThat(day.getString("windows.find { it.window == 'day' }.reservedUsd")).isEqualTo("0");
            assertThat(new BigDecimal(day.getString("windows.find { it.window == 'day' }.spentUsd")))
                    .isEqualByComparingTo(spentBefore.add(cost).add(streamCost));
        });
    }

    private static JsonPath day(String key) {
        return given().header("x-api-key", key).get("/v1/budget").then().statusCode(200).extract().jsonPath();
    }

    // ---------------------------------------------------------------- retries: parley's, in one layer

    @Test
    void aPassing529IsRiddenOutByParley() throws SQLException {
        String id = uniqueId();
        double retriesBefore = metric("parley_upstream_retries_total", "reason=\"upstream_overloaded\"");

        Message message = client(DOOR_KEY).messages()
                .create(ask(id, "[[sim:fault=529]] [[sim:reply=Made it.]]").build());

        assertThat(text(message)).isEqualTo("Made it.");
        assertThat(counter(id, "requests")).isEqualTo(2);
        assertThat(upstreamRequests(id).getList("headers.'x-stainless-retry-count'")).containsOnlyNulls();
        Map<String, Object> row = door.awaitRow(id);
        assertThat(row).containsEntry("outcome", "ok").containsEntry("output_tokens", message.usage().outputTokens());
        assertThat(metric("parley_upstream_retries_total", "reason=\"upstream_overloaded\""))
                .isEqualTo(retriesBefore + 1);
    }

    @Test
    void aLasting529IsAnOverloadedErrorAfterOneSdkAttempt() throws SQLException {
        String id = uniqueId();

        OverloadedException e = assertThrows(OverloadedException.class,
                () -> client(DOOR_KEY).messages().create(ask(id, "[[sim:fault=529 times=always]]").build()));

        assertThat(e).isInstanceOf(InternalServerException.class);
        assertRefusal(e, 529, ErrorType.OVERLOADED_ERROR);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message).contains("tried 3 times"));
        // parley's two retries and its first attempt; had the SDK retried too, each of its attempts would add three.
        assertThat(counter(id, "requests")).isEqualTo(3);
        Map<String, Object> row = door.awaitRow(id);
        assertThat(row).containsEntry("outcome", "upstream_error").containsEntry("input_tokens", 0L)
                .containsEntry("output_tokens_final", false);
        assertThat(LedgerRows.rounds(door.ledger(), (String) row.get("turn_id"))).singleElement()
                .satisfies(round -> assertThat((String) round.get("upstream_request_id")).startsWith("req_"));
    }

    @Test
    void aClientThatLeavesDuringTheCallIsMeteredAsCancelled() {
        String id = uniqueId();
        byte[] body = ("{\"model\":\"" + MODEL + "\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"[[sim:id=" + id + "]] [[sim:ttft=3s]] Hi\"}]}").getBytes(StandardCharsets.UTF_8);

        assertThat(counter(id, "requests")).isZero(); // and rest-assured is warm: its first call can take seconds

        try (RawHttp raw = RawHttp.connect(app)) {
            raw.head("POST /anthropic/v1/messages HTTP/1.1", "Host: localhost", "x-api-key: " + DOOR_KEY,
                    "anthropic-version: 2023-06-01", "Content-Type: application/json", "X-Request-Id: " + id,
                    "Content-Length: " + body.length);
            raw.send(body);
            await().atMost(Duration.ofSeconds(5)).until(() -> counter(id, "requests") == 1);
        }

        assertThat(door.awaitRow(id)).containsEntry("outcome", "client_cancelled").containsEntry("caller", "door")
                .containsEntry("output_tokens_final", false);
    }

    // ---------------------------------------------------------------- helpers

    /** A request scoped to the simulator id {@code id}, which is also its {@code X-Request-Id}. */
    static MessageCreateParams.Builder ask(String id, String userText) {
        return MessageCreateParams.builder().model(MODEL).maxTokens(256)
                .addUserMessage("[[sim:id=" + id + "]] " + userText).putAdditionalHeader("X-Request-Id", id);
    }

    static Tool weatherTool() {
        Tool.InputSchema.Properties.Builder schema = Tool.InputSchema.Properties.builder();
        for (String property : List.of("city", "unit")) {
            schema.putAdditionalProperty(property, JsonValue.from(Map.of("type", "string")));
        }
        return Tool.builder().name("get_weather").description("The weather in a city")
                .inputSchema(Tool.InputSchema.builder().properties(schema.build()).required(List.of("city", "unit"))
                        .build())
                .build();
    }

    /** Parley's own refusal: the SDK's status and type, parley's message, and the advice not to retry. */
    static void assertRefusal(AnthropicServiceException e, int status, ErrorType type) {
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.type()).contains(type);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message).isNotBlank());
        assertThat(e.requestId()).isPresent();
        assertThat(e.headers().values("x-should-retry")).containsExactly("false");
    }

    static String uniqueId() {
        return "door-" + UUID.randomUUID();
    }

    static String text(Message message) {
        return message.content().stream().filter(ContentBlock::isText).map(ContentBlock::asText)
                .map(TextBlock::text).reduce("", String::concat);
    }

    /** The body the SDK sends for these parameters, as JSON read back (so numbers compare by value). */
    private static JsonNode sent(MessageCreateParams params) {
        try {
            return json(SDK_JSON.writeValueAsString(params._body()));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return SDK_JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The {@code anthropic-version} the SDK sends, as the simulator received it from the SDK directly. */
    private String sdkRequestHeader(String name) {
        String id = uniqueId();
        AnthropicClient direct = clientOf("/simulator", "parley-simulator-key");
        direct.messages().create(ask(id, "Hi").build());
        return upstreamRequests(id).getString("[0].headers.'" + name + "'");
    }

    private static double metric(String name, String label) {
        return Metrics.samples(given().get("/q/metrics").then().statusCode(200).extract().asString()).entrySet()
                .stream().filter(sample -> sample.getKey().startsWith(name + "{") && sample.getKey().contains(label))
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
