package dev.parley.simulator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.SseException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.AssistantMessageParam;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.ThinkingBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.anthropic.models.models.ModelInfo;
import com.anthropic.models.models.ModelListPage;
import com.anthropic.models.models.ModelListParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Points the official Anthropic Java SDK (a client we did not write) at the simulator. Whatever the SDK parses,
 * accumulates, retries and throws here, it would do the same against the real API, so a disagreement is a simulator
 * bug. Every test that counts requests uses its own {@code [[sim:id=…]]}, so the tests can run next to others.
 */
@QuarkusTest
class OfficialSdkFidelityTest {

    private static final String MODEL = "claude-sonnet-4-6";
    private static final String KEY = "parley-simulator-key";
    /** The SDK's own mapper, so models serialize exactly as the SDK sees them. */
    private static final ObjectMapper SDK_JSON = ObjectMappers.jsonMapper();
    private static final String OSLO_INPUT = "{\"city\":\"Oslo\",\"unit\":\"celsius\"}";

    @TestHTTPResource("/simulator")
    URI simulator;

    /** Default SDK settings: two retries, lenient response parsing. */
    private AnthropicClient client;
    /** For error mapping: a retry would only hide which exception the first response produced. */
    private AnthropicClient noRetries;

    @BeforeEach
    void clients() {
        client = client(builder -> {
        });
        noRetries = client(builder -> builder.maxRetries(0));
    }

    @AfterEach
    void closeClients() {
        client.close();
        noRetries.close();
    }

    // ---------------------------------------------------------------- streaming and non-streaming are one message

    @Test
    void streamingAccumulatorRebuildsTheNonStreamingTextReply() {
        MessageCreateParams params = ask("Say hello [[sim:reply=Hello from the simulator, twice over.]]").build();

        Message streamed = assertStreamedEqualsWhole(params).streamed();

        assertThat(streamed.content()).singleElement().satisfies(block -> assertThat(block.isText()).isTrue());
        assertThat(text(streamed)).isEqualTo("Hello from the simulator, twice over.");
        assertThat(streamed.stopReason()).contains(StopReason.END_TURN);
    }

    @Test
    void streamingAccumulatorRebuildsTheNonStreamingToolUseReply() {
        MessageCreateParams params = ask("Weather in Oslo? [[sim:tool=get_weather " + OSLO_INPUT + "]]")
                .addTool(weatherTool())
                .build();

        Message streamed = assertStreamedEqualsWhole(params).streamed();

        assertThat(toolUses(streamed)).singleElement().satisfies(tool -> {
            assertThat(tool.name()).isEqualTo("get_weather");
            assertThat(json(tool._input())).isEqualTo(json(OSLO_INPUT));
        });
        assertThat(streamed.stopReason()).contains(StopReason.TOOL_USE);
    }

    @Test
    void streamingAccumulatorRebuildsTheNonStreamingParallelToolCalls() {
        String timeInput = "{\"zone\":\"Europe/Oslo\"}";
        MessageCreateParams params = ask("Weather and time in Oslo? [[sim:tool=get_weather " + OSLO_INPUT
                + "]] [[sim:tool=get_time " + timeInput + "]]")
                .addTool(weatherTool())
                .addTool(tool("get_time", "zone"))
                .build();

        Message streamed = assertStreamedEqualsWhole(params).streamed();

        assertThat(toolUses(streamed)).extracting(ToolUseBlock::name).containsExactly("get_weather", "get_time");
        assertThat(toolUses(streamed)).extracting(tool -> json(tool._input())).containsExactly(json(OSLO_INPUT),
                json(timeInput));
        assertThat(toolUses(streamed)).extracting(ToolUseBlock::id).doesNotHaveDuplicates();
        assertThat(streamed.stopReason()).contains(StopReason.TOOL_USE);
    }

    @Test
    void streamingAccumulatorRebuildsTheNonStreamingThinkingReply() {
        MessageCreateParams params = ask("Think first [[sim:reply=Thought it through.]]")
                .maxTokens(2048)
                .enabledThinking(1024)
                .build();

        StreamedAndWhole both = assertStreamedEqualsWhole(params);

        for (Message message : List.of(both.streamed(), both.whole())) {
            assertThat(message.content()).extracting(ContentBlock::isThinking).containsExactly(true, false);
            ThinkingBlock thinking = message.content().getFirst().asThinking();
            assertThat(thinking.thinking()).isNotBlank();
            assertThat(thinking.signature()).isNotBlank();
            assertThat(text(message)).isEqualTo("Thought it through.");
        }
        assertThat(both.streamed().content().getFirst().asThinking().thinking())
                .isEqualTo(both.whole().content().getFirst().asThinking().thinking());
    }

    // ---------------------------------------------------------------- errors arrive as the SDK's typed exceptions

    @Test
    void rateLimitIsARateLimitException() {
        RateLimitException e = assertThrows(RateLimitException.class,
                () -> noRetries.messages().create(ask("[[sim:fault=429 retry-after=0 times=always]]").build()));

        assertApiError(e, 429, ErrorType.RATE_LIMIT_ERROR);
        assertThat(e.headers().values("retry-after")).containsExactly("0");
    }

    @Test
    void overloadedIsAnOverloadedInternalServerException() {
        // SDK 3.13.0 maps 529 to OverloadedException, a subclass of InternalServerException.
        OverloadedException e = assertThrows(OverloadedException.class,
                () -> noRetries.messages().create(ask("[[sim:fault=529 times=always]]").build()));

        assertThat(e).isInstanceOf(InternalServerException.class);
        assertApiError(e, 529, ErrorType.OVERLOADED_ERROR);
    }

    @Test
    void serverErrorIsAnInternalServerException() {
        InternalServerException e = assertThrows(InternalServerException.class,
                () -> noRetries.messages().create(ask("[[sim:fault=500 times=always]]").build()));

        assertApiError(e, 500, ErrorType.API_ERROR);
    }

    @Test
    void invalidKeyIsAnUnauthorizedException() {
        withClient(builder -> builder.apiKey("not-the-simulator-key"), wrongKey -> {
            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> wrongKey.messages().create(ask("Hello").build()));

            assertApiError(e, 401, ErrorType.AUTHENTICATION_ERROR);
            assertThat(e.apiMessage()).contains("invalid x-api-key");
        });
    }

    @Test
    void missingKeyIsAnUnauthorizedException() {
        // Built without any credentials, the SDK sends the request with no x-api-key header at all.
        withClient(builder -> builder.apiKey(Optional.empty()), noKey -> {
            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> noKey.messages().create(ask("Hello").build()));

            assertApiError(e, 401, ErrorType.AUTHENTICATION_ERROR);
        });
    }

    @Test
    void unknownModelIsANotFoundException() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> noRetries.messages().create(ask("Hello").model("claude-sonnet-4-6-20250514").build()));

        assertApiError(e, 404, ErrorType.NOT_FOUND_ERROR);
        assertThat(e.apiMessage()).contains("model: claude-sonnet-4-6-20250514");
    }

    @Test
    void maxTokensAboveTheModelLimitIsABadRequestException() {
        // Streamed: a request rejected before the stream starts is a plain HTTP error, not an SSE one.
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> drain(noRetries.messages().createStreaming(ask("Hello").maxTokens(64_001).build())));

        assertApiError(e, 400, ErrorType.INVALID_REQUEST_ERROR);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message).contains("max_tokens"));
    }

    @Test
    void toolUseWithoutToolResultIsABadRequestException() {
        MessageCreateParams params = ask("Weather in Oslo?")
                .addTool(weatherTool())
                .addMessage(AssistantMessageParam.ofContentBlockParams(List.of(ContentBlockParam.ofToolUse(
                        ToolUseBlockParam.builder().id("toolu_01A09q90qw90lq917835lq9x").name("get_weather")
                                .input(JsonValue.from(Map.of("city", "Oslo"))).build()))))
                .addUserMessage("And tomorrow?")
                .build();

        BadRequestException e = assertThrows(BadRequestException.class, () -> noRetries.messages().create(params));

        assertApiError(e, 400, ErrorType.INVALID_REQUEST_ERROR);
        assertThat(e.apiMessage()).hasValueSatisfying(
                message -> assertThat(message).contains("`tool_use` ids were found without `tool_result` blocks"));
    }

    @Test
    void errorEventMidStreamIsAnSseExceptionAndIsNotRetried() {
        String id = UUID.randomUUID().toString();
        List<RawMessageStreamEvent> received = new ArrayList<>();
        MessageCreateParams params = ask("[[sim:id=" + id + "]] [[sim:tokens=20]] [[sim:fault=error-event after=2]]")
                .build();

        SseException e = assertThrows(SseException.class, () -> {
            try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
                stream.stream().forEach(received::add);
            }
        });

        // The stream itself was a 200; the error type and message come from the event's body.
        assertApiError(e, 200, ErrorType.OVERLOADED_ERROR);
        assertThat(received).filteredOn(RawMessageStreamEvent::isContentBlockDelta).hasSize(2);
        assertThat(received).noneMatch(RawMessageStreamEvent::isMessageStop);
        assertThat(counter(id, "requests")).as("the SDK never retries a stream that has started").isEqualTo(1);
        assertThat(counter(id, "streamsFailed")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- the SDK's retries

    @Test
    void sdkRetriesThroughA429AndHonoursRetryAfter() {
        String id = UUID.randomUUID().toString();
        long start = System.nanoTime();

        Message message = client.messages()
                .create(ask("[[sim:id=" + id + "]] [[sim:fault=429 retry-after=1 times=1]] [[sim:reply=Made it.]]")
                        .build());

        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(text(message)).isEqualTo("Made it.");
        assertThat(counter(id, "requests")).isEqualTo(2);
        assertThat(elapsed).as("retry-after: 1 is waited out").isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(retryCountHeaders(id)).containsExactly("0", "1");
    }

    @Test
    void sdkRetriesThroughTwo529s() {
        String id = UUID.randomUUID().toString();

        Message message = client.messages()
                .create(ask("[[sim:id=" + id + "]] [[sim:fault=529 times=2]] [[sim:reply=Third time lucky.]]")
                        .build());

        assertThat(text(message)).isEqualTo("Third time lucky.");
        assertThat(counter(id, "requests")).isEqualTo(3);
        assertThat(retryCountHeaders(id)).containsExactly("0", "1", "2");
    }

    // ---------------------------------------------------------------- models and token counting

    @Test
    void modelListPagesThroughTheWholeCatalog() {
        // The test profile serves one extra model (parley.simulator.extra-models) after the catalog.
        List<String> catalog = java.util.stream.Stream.concat(
                ModelCatalog.MODELS.stream().filter(model -> !model.retired()).map(ModelCatalog.SimModel::id),
                java.util.stream.Stream.of("claude-future-9"))
                .toList();
        ModelListPage first = client.models().list(ModelListParams.builder().limit(3L).build());

        List<String> seen = new ArrayList<>();
        int pages = 0;
        for (ModelListPage page = first;; page = page.nextPage()) {
            pages++;
            assertThat(page.data()).hasSizeLessThanOrEqualTo(3);
            page.data().forEach(model -> seen.add(model.id()));
            if (!page.hasNextPage()) {
                break;
            }
        }

        assertThat(seen).containsExactlyElementsOf(catalog);
        assertThat(pages).isEqualTo((catalog.size() + 2) / 3);
        assertThat(first.autoPager().stream().map(ModelInfo::id).toList()).containsExactlyElementsOf(catalog);
    }

    @Test
    void modelRetrieveReturnsTheModel() {
        ModelInfo model = client.models().retrieve(MODEL);

        assertThat(model.id()).isEqualTo(MODEL);
        assertThat(model.displayName()).isEqualTo("Claude Sonnet 4.6");
        assertThat(model.maxTokens()).contains(64_000L);
    }

    @Test
    void countTokensMatchesTheInputTokensOfTheMessage() {
        String system = "You are a terse weather assistant.";
        String question = "What is the weather in Oslo today? [[sim:reply=Cold.]]";
        MessageCountTokensParams count = MessageCountTokensParams.builder().model(MODEL).system(system)
                .addTool(weatherTool()).addUserMessage(question).build();
        MessageCreateParams create = ask(question).system(system).addTool(weatherTool()).build();

        long counted = client.messages().countTokens(count).inputTokens();
        Message message = client.messages().create(create);

        assertThat(counted).isPositive().isEqualTo(message.usage().inputTokens());
    }

    // ---------------------------------------------------------------- what the SDK itself insists on

    @Test
    void theSdksAnthropicVersionIsAccepted() {
        // SDK 3.13.0 sends its own anthropic-version (2026-10-21), not 2023-06-01; the real API accepts what it sends.
        Message message = client.messages().create(ask("[[sim:reply=Version accepted.]]").build());

        assertThat(text(message)).isEqualTo("Version accepted.");
    }

    @Test
    void messagesHaveEveryFieldTheSdkRequires() {
        MessageCreateParams params = ask("Weather in Oslo? [[sim:tool=get_weather " + OSLO_INPUT + "]]")
                .addTool(weatherTool())
                .build();

        // With response validation on, the SDK rejects any response that breaks its schema.
        withClient(builder -> builder.responseValidation(true), strict -> {
            for (Message message : List.of(strict.messages().create(params), streamAndAccumulate(strict, params))) {
                // caller is required by the SDK's ToolUseBlock, though its validate() does not check it.
                assertThat(toolUses(message)).singleElement()
                        .satisfies(tool -> assertThat(tool.caller().isDirect()).isTrue());
            }
        });
    }

    @Test
    void modelsHaveEveryFieldTheSdkRequires() {
        withClient(builder -> builder.responseValidation(true), strict -> {
            assertThat(strict.models().retrieve(MODEL).lifecycle()).isEqualTo(ModelInfo.Lifecycle.ACTIVE);
            strict.models().list(ModelListParams.builder().limit(1000L).build()).data().forEach(ModelInfo::validate);
        });
    }

    // ---------------------------------------------------------------- helpers

    private AnthropicClient client(Consumer<AnthropicOkHttpClient.Builder> customize) {
        AnthropicOkHttpClient.Builder builder = AnthropicOkHttpClient.builder().baseUrl(simulator.toString())
                .apiKey(KEY);
        customize.accept(builder);
        return builder.build();
    }

    /** Runs the calls on a client of their own, closed afterwards (AnthropicClient is not AutoCloseable). */
    private void withClient(Consumer<AnthropicOkHttpClient.Builder> customize, Consumer<AnthropicClient> calls) {
        AnthropicClient own = client(customize);
        try {
            calls.accept(own);
        } finally {
            own.close();
        }
    }

    private static MessageCreateParams.Builder ask(String userText) {
        return MessageCreateParams.builder().model(MODEL).maxTokens(256).addUserMessage(userText);
    }

    private static Tool weatherTool() {
        return tool("get_weather", "city", "unit");
    }

    /** A tool whose input is an object of the given string properties, all required. */
    private static Tool tool(String name, String... properties) {
        Tool.InputSchema.Properties.Builder schema = Tool.InputSchema.Properties.builder();
        for (String property : properties) {
            schema.putAdditionalProperty(property, JsonValue.from(Map.of("type", "string")));
        }
        return Tool.builder().name(name).description("Test tool " + name)
                .inputSchema(Tool.InputSchema.builder().properties(schema.build()).required(List.of(properties))
                        .build())
                .build();
    }

    /** One request's answer, streamed and accumulated by the SDK, and non-streamed. */
    private record StreamedAndWhole(Message streamed, Message whole) {
    }

    /**
     * Sends the request streamed and whole, and asserts that the SDK's accumulator rebuilds from the stream exactly
     * the message the non-streaming call returns: content, stop reason and usage; only what differs per call by
     * design (ids, thinking signatures) is left out.
     */
    private StreamedAndWhole assertStreamedEqualsWhole(MessageCreateParams params) {
        Message streamed = streamAndAccumulate(client, params);
        Message whole = client.messages().create(params);

        assertThat(withoutPerCallFields(streamed)).isEqualTo(withoutPerCallFields(whole));
        // The same again through the typed accessors, so a failure names the part that differs.
        assertThat(streamed.stopReason()).isEqualTo(whole.stopReason());
        assertThat(streamed.usage()).isEqualTo(whole.usage());
        return new StreamedAndWhole(streamed, whole);
    }

    private static Message streamAndAccumulate(AnthropicClient client, MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    private static void drain(StreamResponse<RawMessageStreamEvent> stream) {
        try (stream) {
            stream.stream().forEach(event -> {
            });
        }
    }

    /** The message as JSON without its id, tool-use ids and thinking signatures, which differ on every call. */
    private static JsonNode withoutPerCallFields(Message message) {
        ObjectNode json = SDK_JSON.valueToTree(message);
        json.remove("id");
        json.withArray("content").forEach(block -> ((ObjectNode) block).remove(List.of("id", "signature")));
        return json;
    }

    private static List<ToolUseBlock> toolUses(Message message) {
        return message.content().stream().filter(ContentBlock::isToolUse).map(ContentBlock::asToolUse).toList();
    }

    private static JsonNode json(JsonValue value) {
        return SDK_JSON.valueToTree(value);
    }

    private static JsonNode json(String text) {
        try {
            return SDK_JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The status, the error type and message from the body, and the request id are all reachable. */
    private static void assertApiError(AnthropicServiceException e, int status, ErrorType type) {
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.type()).contains(type);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message).isNotBlank());
        assertThat(e.requestId()).hasValueSatisfying(requestId -> assertThat(requestId).startsWith("req_"));
    }

    private long counter(String id, String name) {
        return given().get(simulator + "/admin/counters?id=" + id).then().statusCode(200).extract().jsonPath()
                .getLong(name);
    }

    /** The {@code X-Stainless-Retry-Count} header of every attempt, in order. */
    private List<String> retryCountHeaders(String id) {
        return given().get(simulator + "/admin/requests?id=" + id).then().statusCode(200).extract().jsonPath()
                .getList("headers.'x-stainless-retry-count'", String.class);
    }

    private static String text(Message message) {
        return message.content().stream().filter(ContentBlock::isText).map(ContentBlock::asText)
                .map(TextBlock::text).reduce("", String::concat);
    }
}
