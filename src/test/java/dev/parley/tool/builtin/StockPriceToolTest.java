package dev.parley.tool.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

import dev.parley.tool.ToolException;

/** {@code get_stock_price} with the demo quotes, and with another quote source in their place. */
class StockPriceToolTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final StockPriceTool tool = new StockPriceTool(new DemoQuoteSource(), mapper);

    private String price(String ticker) {
        return tool.invoke(new StockPriceTool.TickerInput(ticker)).await().atMost(Duration.ofSeconds(1));
    }

    @Test
    void quotesTheThreeDemoTickersLabelledAsDemoData() {
        assertThat(price("AAPL")).isEqualTo("""
                {"ticker":"AAPL","price":178.50,"currency":"USD","source":"demo data, not market prices"}""");
        assertThat(price("TSLA")).contains("\"price\":242.10");
        assertThat(price("NVDA")).contains("\"price\":875.30");
    }

    @Test
    void looksTickersUpWhateverTheirCaseAndSurroundingSpace() {
        assertThat(price(" aapl ")).startsWith("{\"ticker\":\"AAPL\",\"price\":178.50,");
        assertThat(price("Nvda")).contains("\"ticker\":\"NVDA\"");
    }

    @Test
    void anUnknownTickerIsAToolException() {
        assertThatThrownBy(() -> price("XYZ")).isInstanceOf(ToolException.class).hasMessage("Unknown ticker 'XYZ'");
        assertThatThrownBy(() -> price("x".repeat(100))).isInstanceOf(ToolException.class)
                .hasMessage("Unknown ticker '" + "x".repeat(64) + "…'");
    }

    @Test
    void aBlankTickerIsRejectedByTheInputRecord() {
        assertThatThrownBy(() -> new StockPriceTool.TickerInput("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ticker must not be blank");
    }

    @Test
    void demoQuotesAreExactDecimals() {
        Optional<Quote> quote = new DemoQuoteSource().quote("tsla").await().atMost(Duration.ofSeconds(1));

        assertThat(quote).contains(new Quote("TSLA", new BigDecimal("242.10"), "USD", DemoQuoteSource.SOURCE));
    }

    @Test
    void anotherQuoteSourceReplacesTheDemoData() {
        QuoteSource feed = ticker -> Uni.createFrom().item(Optional.ofNullable(Map.of(
                "SAP", new Quote("SAP", new BigDecimal("201.04"), "EUR", "Example feed")).get(ticker)));
        StockPriceTool withFeed = new StockPriceTool(feed, mapper);

        assertThat(withFeed.invoke(new StockPriceTool.TickerInput("sap")).await().atMost(Duration.ofSeconds(1)))
                .isEqualTo("{\"ticker\":\"SAP\",\"price\":201.04,\"currency\":\"EUR\",\"source\":\"Example feed\"}");
        assertThatThrownBy(() -> withFeed.invoke(new StockPriceTool.TickerInput("AAPL")).await()
                .atMost(Duration.ofSeconds(1))).hasMessage("Unknown ticker 'AAPL'");
    }
}
