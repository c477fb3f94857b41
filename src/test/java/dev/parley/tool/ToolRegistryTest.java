package dev.parley.tool;

import static dev.parley.tool.TestTools.call;
import static dev.parley.tool.TestTools.registry;
import static dev.parley.tool.TestTools.tool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

import dev.parley.tool.TestTools.Limits;

/**
 * The registry on tools written here, constructed directly: start-up rules, validation, failures, limits and
 * metrics. Blocking tools inside the application are tested by {@link BlockingToolsTest}.
 */
class ToolRegistryTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<ToolRegistry> registries = new ArrayList<>();

    record Ticker(@JsonPropertyDescription("A ticker symbol") String ticker) {
    }

    enum Unit {
        CELSIUS,
        FAHRENHEIT
    }

    record Line(String sku, int quantity) {
    }

    record Order(String customer, Optional<String> note, List<Line> lines, Unit unit) {
    }

    record Positive(int value) {
        Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("value must be positive, was " + value);
            }
        }
    }

    record Tree(String name, List<Tree> children) {
    }

    private final AtomicReference<Object> received = new AtomicReference<>();
    private final Tool<Ticker> stock = tool("get_stock_price", Ticker.class, input -> {
        received.set(input);
        return Uni.createFrom().item("{\"price\":1}");
    });
    private final Tool<Order> order = tool("place_order", Order.class, input -> {
        received.set(input);
        return Uni.createFrom().item("placed");
    });
    private final Tool<Positive> positive = tool("positive", Positive.class,
            input -> Uni.createFrom().item(Integer.toString(input.value())));

    @AfterEach
    void close() {
        registries.forEach(ToolRegistry::close);
    }

    private ToolRegistry registry(Limits limits, Tool<?>... tools) {
        ToolRegistry registry = TestTools.registry(limits, meters, tools);
        registries.add(registry);
        return registry;
    }

    private ToolRegistry registry(Tool<?>... tools) {
        return registry(Limits.defaults(), tools);
    }

    private static ToolResult invoke(ToolRegistry registry, ToolCall call) {
        return registry.invoke(call).await().atMost(WAIT);
    }

    private double calls(String tool, String outcome) {
        return meters.get("parley.tool.calls").tag("tool", tool).tag("outcome", outcome).counter().count();
    }

    // ---- start-up

    @Test
    void knowsItsToolsByNameInAlphabeticalOrderWithTheirGeneratedSchemas() {
        ToolRegistry registry = registry(stock, order, positive);

        assertThat(registry.names()).containsExactly("get_stock_price", "place_order", "positive");
        assertThat(registry.specs()).extracting(ToolSpec::name)
                .containsExactly("get_stock_price", "place_order", "positive");
        ToolSpec spec = registry.spec("get_stock_price").orElseThrow();
        assertThat(spec.description()).isEqualTo("A test tool called get_stock_price");
        assertThat(spec.inputSchema()).isEqualTo(TestTools.json("""
                {"type":"object","properties":{"ticker":{"type":"string","description":"A ticker symbol"}},
                 "required":["ticker"],"additionalProperties":false}"""));
        assertThat(registry.spec("nope")).isEmpty();
        assertThat(registry.spec(null)).isEmpty();
    }

    @Test
    void aSpecIsACopyThatCallersCannotChangeForOthers() {
        ToolRegistry registry = registry(stock);

        ((ObjectNode) registry.spec("get_stock_price").orElseThrow().inputSchema()).put("type", "string");

        assertThat(registry.spec("get_stock_price").orElseThrow().inputSchema().path("type").asText())
                .isEqualTo("object");
    }

    @Test
    void startUpFailsOnADuplicateName() {
        Tool<Ticker> twin = tool("get_stock_price", Ticker.class, input -> Uni.createFrom().item("twin"));

        assertThatThrownBy(() -> registry(stock, twin)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Two tools are named 'get_stock_price': " + TestTools.FunctionTool.class.getName()
                        + " and " + TestTools.FunctionTool.class.getName() + "; a tool name must be unique");
    }

    @Test
    void startUpFailsOnANameThatIsNotSnakeCase() {
        for (String name : List.of("GetStockPrice", "get-stock-price", "1st_tool", "_tool", "", "a".repeat(65),
                "get stock price")) {
            assertThatThrownBy(() -> registry(tool(name, Ticker.class, input -> Uni.createFrom().item(""))))
                    .as(name).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has the invalid name '" + name + "'")
                    .hasMessageEndingWith("a tool name must be snake_case, matching [a-z][a-z0-9_]{0,63}");
        }
        assertThat(registry(tool("a".repeat(64), Ticker.class, input -> Uni.createFrom().item(""))).names())
                .containsExactly("a".repeat(64));
    }

    @Test
    void startUpFailsOnTheReservedNameUnknownAndOnABlankDescription() {
        assertThatThrownBy(() -> registry(tool("unknown", Ticker.class, input -> Uni.createFrom().item(""))))
                .hasMessageContaining("is named 'unknown', which is reserved");
        Tool<Ticker> silent = new TestTools.FunctionTool<>("silent", " ", Ticker.class,
                input -> Uni.createFrom().item(""));
        assertThatThrownBy(() -> registry(silent)).hasMessageStartingWith("Tool 'silent' (")
                .hasMessageContaining("has no description");
    }

    @Test
    void startUpFailsOnAnInputTypeWithoutASchema() {
        Tool<String> text = tool("text", String.class, input -> Uni.createFrom().item(input));
        Tool<Tree> tree = tool("tree", Tree.class, input -> Uni.createFrom().item(input.name()));

        assertThatThrownBy(() -> registry(text)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Tool 'text' (")
                .hasMessageEndingWith("): its input type must be a record, was java.lang.String");
        assertThatThrownBy(() -> registry(tree)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Tool 'tree' (")
                .hasMessageContaining("no JSON Schema can be generated for " + Tree.class.getName());
    }

    @Test
    void startUpFailsOnATimeoutForAToolThatDoesNotExistAndOnImpossibleLimits() {
        assertThatThrownBy(() -> registry(Limits.defaults().timeout("get_stok_price", Duration.ofSeconds(1)), stock))
                .hasMessage("parley.tools.timeouts.get_stok_price: there is no tool named 'get_stok_price'"
                        + " (tools: get_stock_price)");
        assertThatThrownBy(() -> registry(Limits.defaults().maxParallel(0), stock))
                .hasMessage("parley.tools.max-parallel must be at least 1, was 0");
        assertThatThrownBy(() -> registry(Limits.defaults().maxResultChars(0), stock))
                .hasMessage("parley.tools.max-result-chars must be at least 1, was 0");
        assertThatThrownBy(() -> registry(Limits.defaults().defaultTimeout(Duration.ZERO), stock))
                .hasMessage("parley.tools.default-timeout must be a positive duration, was PT0S");
    }

    // ---- validation

    @Test
    void aMissingRequiredPropertyIsInvalidInput() {
        ToolResult result = invoke(registry(stock), call("get_stock_price", "{}"));

        assertThat(result.isError()).isTrue();
        assertThat(result.content()).isEqualTo("Invalid input for get_stock_price: missing required property 'ticker'");
        assertThat(result.id()).isEqualTo("toolu_get_stock_price");
        assertThat(result.name()).isEqualTo("get_stock_price");
        assertThat(received).hasNullValue();
        assertThat(calls("get_stock_price", "invalid_input")).isEqualTo(1);
    }

    @Test
    void anUnknownPropertyIsInvalidInput() {
        ToolResult result = invoke(registry(stock), call("get_stock_price", """
                {"ticker":"AAPL","exchange":"NASDAQ"}"""));

        assertThat(result.isError()).isTrue();
        assertThat(result.content()).isEqualTo("Invalid input for get_stock_price: unknown property 'exchange'");
    }

    @Test
    void aValueOfTheWrongTypeIsInvalidInputAndSoIsNullForARequiredProperty() {
        ToolRegistry registry = registry(stock, order);

        assertThat(invoke(registry, call("get_stock_price", "{\"ticker\":42}")).content())
                .isEqualTo("Invalid input for get_stock_price: property 'ticker' must be a string, not a number");
        assertThat(invoke(registry, call("get_stock_price", "{\"ticker\":null}")).content())
                .isEqualTo("Invalid input for get_stock_price: property 'ticker' must be a string, not null");
        assertThat(invoke(registry, call("get_stock_price", "[\"AAPL\"]")).content())
                .isEqualTo("Invalid input for get_stock_price: the input must be an object, not an array");
        assertThat(invoke(registry, call("place_order", """
                {"customer":"c","lines":[{"sku":"a","quantity":1.5}],"unit":"CELSIUS"}""")).content())
                .isEqualTo("Invalid input for place_order: property 'lines[0].quantity' must be an integer,"
                        + " not a number");
        assertThat(invoke(registry, call("place_order", """
                {"customer":"c","lines":{},"unit":"KELVIN"}""")).content())
                .isEqualTo("Invalid input for place_order: property 'lines' must be an array, not an object;"
                        + " property 'unit' must be one of \"CELSIUS\", \"FAHRENHEIT\"");
    }

    @Test
    void everyProblemIsListedWithItsPathInsideNestedInput() {
        ToolResult result = invoke(registry(order), call("place_order", """
                {"lines":[{"sku":"a","quantity":1},{"quantity":2,"colour":"red"}],"unit":"CELSIUS","rush":true}"""));

        assertThat(result.content()).isEqualTo("Invalid input for place_order: missing required property 'customer';"
                + " missing required property 'lines[1].sku'; unknown property 'lines[1].colour';"
                + " unknown property 'rush'");
    }

    @Test
    void anOptionalPropertyMayBeAbsentOrNullAndAWholeNumberWrittenWithADecimalPointIsAnInteger() {
        ToolRegistry registry = registry(order);

        ToolResult absent = invoke(registry, call("place_order", """
                {"customer":"c","lines":[{"sku":"a","quantity":2.0}],"unit":"CELSIUS"}"""));
        assertThat(absent.isError()).as(absent.content()).isFalse();
        assertThat(received.get()).isEqualTo(new Order("c", Optional.empty(), List.of(new Line("a", 2)),
                Unit.CELSIUS));

        ToolResult nullNote = invoke(registry, call("place_order", """
                {"customer":"c","note":null,"lines":[],"unit":"FAHRENHEIT"}"""));
        assertThat(nullNote.isError()).as(nullNote.content()).isFalse();
        assertThat(received.get()).isEqualTo(new Order("c", Optional.empty(), List.of(), Unit.FAHRENHEIT));

        invoke(registry, call("place_order", """
                {"customer":"c","note":"ring twice","lines":[],"unit":"FAHRENHEIT"}"""));
        assertThat(((Order) received.get()).note()).contains("ring twice");
    }

    @Test
    void aNullInputIsAnEmptyObject() {
        ToolResult result = invoke(registry(stock), new ToolCall("toolu_1", "get_stock_price", null));

        assertThat(result.content()).isEqualTo("Invalid input for get_stock_price: missing required property 'ticker'");
    }

    @Test
    void aRecordConstructorsRejectionAndAValueJacksonCannotReadAreInvalidInput() {
        ToolRegistry registry = registry(positive);

        assertThat(invoke(registry, call("positive", "{\"value\":-3}")).content())
                .isEqualTo("Invalid input for positive: value must be positive, was -3");
        assertThat(invoke(registry, call("positive", "{\"value\":12345678901234}")).content())
                .isEqualTo("Invalid input for positive: invalid value for property 'value'");
        assertThat(invoke(registry, call("positive", "{\"value\":7}")).content()).isEqualTo("7");
    }

    // ---- outcomes

    @Test
    void anUnknownToolIsAnErrorResultCountedAsUnknown() {
        ToolRegistry registry = registry(stock);

        ToolResult result = invoke(registry, call("get_weather", "{\"city\":\"Oslo\"}"));

        assertThat(result).extracting(ToolResult::id, ToolResult::name, ToolResult::isError, ToolResult::content)
                .containsExactly("toolu_get_weather", "get_weather", true, "Unknown tool 'get_weather'");
        assertThat(calls("unknown", "unknown_tool")).isEqualTo(1);
        assertThat(meters.find("parley.tool.calls").tag("tool", "get_weather").counters()).isEmpty();
    }

    @Test
    void aToolExceptionIsAnErrorResultWithItsMessage() {
        Tool<Ticker> failing = tool("get_stock_price", Ticker.class,
                input -> Uni.createFrom().failure(new ToolException("Unknown ticker 'XYZ'")));

        ToolResult result = invoke(registry(failing), call("get_stock_price", "{\"ticker\":\"XYZ\"}"));

        assertThat(result.isError()).isTrue();
        assertThat(result.content()).isEqualTo("Unknown ticker 'XYZ'");
        assertThat(calls("get_stock_price", "error")).isEqualTo(1);
        assertThat(meters.get("parley.tool.duration").tag("tool", "get_stock_price").timer().count()).isEqualTo(1);
    }

    @Test
    void anUnexpectedFailureIsAGenericErrorThatRevealsNothing() {
        Tool<Ticker> failing = tool("failing", Ticker.class,
                input -> Uni.createFrom().failure(new IllegalStateException("db password is hunter2")));
        Tool<Ticker> throwing = tool("throwing", Ticker.class, input -> {
            throw new NullPointerException("secret detail");
        });
        Tool<Ticker> nothing = tool("nothing", Ticker.class, input -> null);
        ToolRegistry registry = registry(failing, throwing, nothing);

        for (String name : List.of("failing", "throwing", "nothing")) {
            ToolResult result = invoke(registry, call(name, "{\"ticker\":\"A\"}"));
            assertThat(result.isError()).isTrue();
            assertThat(result.content()).isEqualTo("Tool '" + name + "' failed with an internal error");
            assertThat(calls(name, "error")).isEqualTo(1);
        }
    }

    @Test
    void aNullResultIsAnEmptySuccessfulOne() {
        Tool<Ticker> empty = tool("empty", Ticker.class, input -> Uni.createFrom().nullItem());

        ToolResult result = invoke(registry(empty), call("empty", "{\"ticker\":\"A\"}"));

        assertThat(result.isError()).isFalse();
        assertThat(result.content()).isEmpty();
        assertThat(calls("empty", "ok")).isEqualTo(1);
    }

    @Test
    void aLongResultIsTruncatedWithAMarkerAndAShortOneIsNot() {
        Tool<Ticker> echo = tool("echo", Ticker.class, input -> Uni.createFrom().item(input.ticker()));
        Tool<Ticker> failing = tool("failing", Ticker.class,
                input -> Uni.createFrom().failure(new ToolException(input.ticker())));
        ToolRegistry registry = registry(Limits.defaults().maxResultChars(10), echo, failing);

        assertThat(invoke(registry, call("echo", "{\"ticker\":\"abcdefghij\"}")).content()).isEqualTo("abcdefghij");
        assertThat(invoke(registry, call("echo", "{\"ticker\":\"abcdefghijklmnop\"}")).content())
                .isEqualTo("abcdefghij\n[truncated by parley: 6 of 16 characters not shown]");
        assertThat(invoke(registry, call("failing", "{\"ticker\":\"abcdefghijklmnop\"}")).content())
                .isEqualTo("abcdefghij\n[truncated by parley: 6 of 16 characters not shown]");
        // A character outside the BMP is never cut in half.
        assertThat(invoke(registry, call("echo", "{\"ticker\":\"abcdefghi\uD83D\uDE00xyz\"}")).content())
                .isEqualTo("abcdefghi\n[truncated by parley: 5 of 14 characters not shown]");
    }

    @Test
    void aCallThatOutlivesItsTimeoutIsCancelledAndReportedAsTimedOut() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Tool<Ticker> never = tool("never", Ticker.class,
                input -> Uni.createFrom().emitter(emitter -> emitter.onTermination(() -> cancelled.set(true))));
        ToolRegistry registry = registry(Limits.defaults().timeout("never", Duration.ofMillis(150)), never, stock);

        ToolResult result = invoke(registry, call("never", "{\"ticker\":\"A\"}"));

        assertThat(result.isError()).isTrue();
        assertThat(result.content()).isEqualTo("Tool 'never' timed out after 150ms");
        assertThat(result.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(cancelled).isTrue();
        assertThat(calls("never", "timeout")).isEqualTo(1);
        // Other tools keep the default.
        assertThat(invoke(registry, call("get_stock_price", "{\"ticker\":\"A\"}")).isError()).isFalse();
    }

    @Test
    void timeoutsAreWrittenAsInConfiguration() {
        assertThat(ToolRegistry.human(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(ToolRegistry.human(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void cancellingInvokeAllCancelsANonBlockingCall() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Tool<Ticker> never = tool("never", Ticker.class,
                input -> Uni.createFrom().emitter(emitter -> emitter.onTermination(() -> cancelled.set(true))));
        ToolRegistry registry = registry(never);

        AssertSubscriber<ToolResult> subscriber = registry.invokeAll(List.of(call("never", "{\"ticker\":\"A\"}")))
                .subscribe().withSubscriber(AssertSubscriber.create(1));
        subscriber.cancel();

        await().atMost(WAIT).untilTrue(cancelled);
        assertThat(subscriber.getItems()).isEmpty();
        assertThat(calls("never", "cancelled")).isEqualTo(1);
    }

    // ---- several calls

    @Test
    void emitsEachResultAsItCompletesAndNeverFails() {
        SlowTestTool slow = new SlowTestTool();
        ToolRegistry registry = registry(slow, stock);

        List<ToolResult> results = registry.invokeAll(List.of(
                new ToolCall("toolu_slow", "slow_test_tool", TestTools.json("{\"label\":\"slow\",\"millis\":300}")),
                new ToolCall("toolu_fast", "get_stock_price", TestTools.json("{\"ticker\":\"A\"}")),
                new ToolCall("toolu_bad", "get_stock_price", TestTools.json("{}")),
                new ToolCall("toolu_nope", "nope", TestTools.json("{}"))))
                .collect().asList().await().atMost(WAIT);

        assertThat(results).extracting(ToolResult::id).hasSize(4).endsWith("toolu_slow")
                .containsExactlyInAnyOrder("toolu_slow", "toolu_fast", "toolu_bad", "toolu_nope");
        assertThat(results).filteredOn(ToolResult::isError).extracting(ToolResult::id)
                .containsExactlyInAnyOrder("toolu_bad", "toolu_nope");
    }

    @Test
    void runsAtMostMaxParallelCallsAtOnce() {
        SlowTestTool slow = new SlowTestTool();
        ToolRegistry registry = registry(Limits.defaults().maxParallel(2), slow);
        List<String> labels = IntStream.range(0, 5).mapToObj(i -> "nap" + i).toList();

        List<ToolResult> results = registry.invokeAll(labels.stream().map(label -> new ToolCall("toolu_" + label,
                "slow_test_tool", TestTools.json("{\"label\":\"" + label + "\",\"millis\":150}"))).toList())
                .collect().asList().await().atMost(WAIT);

        assertThat(results).hasSize(5).noneMatch(ToolResult::isError);
        List<SlowTestTool.Record> naps = labels.stream().map(slow::nap).toList();
        for (SlowTestTool.Record nap : naps) {
            long runningThen = naps.stream()
                    .filter(other -> other.startedNanos() <= nap.startedNanos()
                            && other.endedNanos() > nap.startedNanos())
                    .count();
            assertThat(runningThen).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void aBlockingToolRunsOnAVirtualThread() {
        AtomicReference<Thread> thread = new AtomicReference<>();
        Tool<Ticker> marked = new Tool<>() {
            @Override
            public String name() {
                return "marked";
            }

            @Override
            public String description() {
                return "Blocks";
            }

            @Override
            public Class<Ticker> inputType() {
                return Ticker.class;
            }

            @Override
            public Uni<String> invoke(Ticker input) {
                thread.set(Thread.currentThread());
                return Uni.createFrom().item("done");
            }

            @Override
            public boolean blocking() {
                return true;
            }
        };
        ToolRegistry registry = registry(marked);

        assertThat(invoke(registry, call("marked", "{\"ticker\":\"A\"}")).content()).isEqualTo("done");
        assertThat(thread.get().isVirtual()).isTrue();
        assertThat(thread.get().getName()).startsWith("parley-tool-");
    }

    @Test
    void metricsExistFromTheStartForEveryToolAndOutcome() {
        registry(stock);

        for (String outcome : List.of("ok", "error", "invalid_input", "timeout", "cancelled")) {
            assertThat(calls("get_stock_price", outcome)).isZero();
        }
        assertThat(calls("unknown", "unknown_tool")).isZero();
        assertThat(meters.find("parley.tool.calls").tag("tool", "get_stock_price").tag("outcome", "unknown_tool")
                .counters()).isEmpty();
        assertThat(meters.get("parley.tool.duration").tag("tool", "get_stock_price").timer().count()).isZero();
    }
}
