package dev.parley.tool;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

import dev.parley.harness.Metrics;

/**
 * The application's registry: every tool bean is discovered (the shipped ones and the test-only one), schemas are
 * generated from the input records, and calls are counted in {@code /q/metrics}.
 */
@QuarkusTest
class ToolDiscoveryTest {

    @Inject
    ToolRegistry registry;

    @Inject
    ObjectMapper mapper;

    @Test
    void discoversTheShippedToolsAndTheTestOnlyOne() {
        assertThat(registry.names())
                .containsExactly("calculate", "get_current_time", "get_stock_price", "nap", "slow_test_tool");
    }

    @Test
    void generatesTheStockPriceSchemaFromItsInputRecord() throws Exception {
        ToolSpec spec = registry.spec("get_stock_price").orElseThrow();

        assertThat(mapper.writeValueAsString(spec.inputSchema())).isEqualTo("""
                {"type":"object","properties":{"ticker":{"type":"string",\
                "description":"The stock's ticker symbol, e.g. AAPL (case does not matter)"}},\
                "required":["ticker"],"additionalProperties":false}""");
        assertThat(spec.description()).startsWith("Gets the latest price of a stock by its ticker symbol.");
    }

    @Test
    void everyShippedToolHasAnObjectSchemaWithOneRequiredDescribedProperty() {
        for (String name : List.of("calculate", "get_current_time", "get_stock_price")) {
            ToolSpec spec = registry.spec(name).orElseThrow();
            assertThat(spec.inputSchema().path("type").asText()).as(name).isEqualTo("object");
            assertThat(spec.inputSchema().has("$schema")).as(name).isFalse();
            String property = spec.inputSchema().path("required").get(0).asText();
            assertThat(spec.inputSchema().path("properties").path(property).path("description").asText()).as(name)
                    .isNotBlank();
            assertThat(spec.description()).as(name).isNotBlank();
        }
        assertThat(registry.spec("calculate").orElseThrow().inputSchema().path("required"))
                .hasToString("[\"expression\"]");
        assertThat(registry.spec("get_current_time").orElseThrow().inputSchema().path("required"))
                .hasToString("[\"timezone\"]");
    }

    @Test
    void shippedToolsAnswerThroughTheRegistry() throws Exception {
        List<ToolResult> results = registry.invokeAll(List.of(
                new ToolCall("toolu_1", "calculate", mapper.readTree("{\"expression\":\"(1 + 2) * 3 ^ 2\"}")),
                new ToolCall("toolu_2", "get_stock_price", mapper.readTree("{\"ticker\":\"nvda\"}")),
                new ToolCall("toolu_3", "get_current_time", mapper.readTree("{\"timezone\":\"Europe/Oslo\"}"))))
                .collect().asList().await().atMost(Duration.ofSeconds(5));

        assertThat(results).noneMatch(ToolResult::isError);
        assertThat(results).filteredOn(result -> result.id().equals("toolu_1")).singleElement()
                .extracting(ToolResult::content).isEqualTo("27");
        assertThat(results).filteredOn(result -> result.id().equals("toolu_2")).singleElement()
                .extracting(ToolResult::content).isEqualTo("""
                        {"ticker":"NVDA","price":875.30,"currency":"USD","source":"demo data, not market prices"}""");
        assertThat(results).filteredOn(result -> result.id().equals("toolu_3")).singleElement()
                .extracting(ToolResult::content).asString().contains("\"timezone\":\"Europe/Oslo\"");
    }

    @Test
    void countsCallsByToolAndOutcomeInTheMetrics() throws Exception {
        double okBefore = scraped("parley_tool_calls_total", "outcome=\"ok\",tool=\"calculate\"");
        double errorBefore = scraped("parley_tool_calls_total", "outcome=\"error\",tool=\"calculate\"");
        double invalidBefore = scraped("parley_tool_calls_total", "outcome=\"invalid_input\",tool=\"calculate\"");
        double unknownBefore = scraped("parley_tool_calls_total", "outcome=\"unknown_tool\",tool=\"unknown\"");
        double timedBefore = scraped("parley_tool_duration_seconds_count", "tool=\"calculate\"");

        registry.invokeAll(List.of(
                new ToolCall("toolu_1", "calculate", mapper.readTree("{\"expression\":\"1+1\"}")),
                new ToolCall("toolu_2", "calculate", mapper.readTree("{\"expression\":\"1/0\"}")),
                new ToolCall("toolu_3", "calculate", mapper.readTree("{\"expr\":\"1\"}")),
                new ToolCall("toolu_4", "get_weather", mapper.readTree("{}"))))
                .collect().asList().await().atMost(Duration.ofSeconds(5));

        assertThat(scraped("parley_tool_calls_total", "outcome=\"ok\",tool=\"calculate\"")).isEqualTo(okBefore + 1);
        assertThat(scraped("parley_tool_calls_total", "outcome=\"error\",tool=\"calculate\""))
                .isEqualTo(errorBefore + 1);
        assertThat(scraped("parley_tool_calls_total", "outcome=\"invalid_input\",tool=\"calculate\""))
                .isEqualTo(invalidBefore + 1);
        assertThat(scraped("parley_tool_calls_total", "outcome=\"unknown_tool\",tool=\"unknown\""))
                .isEqualTo(unknownBefore + 1);
        assertThat(scraped("parley_tool_duration_seconds_count", "tool=\"calculate\"")).isEqualTo(timedBefore + 2);
        assertThat(given().get("/q/metrics").asString()).doesNotContain("get_weather");
    }

    private static double scraped(String metric, String tags) {
        Map<String, Double> samples = Metrics.samples(
                given().get("/q/metrics").then().statusCode(200).extract().asString());
        String sample = metric + "{" + tags + "}";
        assertThat(samples).as(sample + " in /q/metrics").containsKey(sample);
        return samples.get(sample);
    }
}
