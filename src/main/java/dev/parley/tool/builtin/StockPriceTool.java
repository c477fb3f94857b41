package dev.parley.tool.builtin;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

import dev.parley.tool.Tool;
import dev.parley.tool.ToolException;

/** {@code get_stock_price}: the price of a stock from the {@link QuoteSource} (demo data unless replaced). */
@ApplicationScoped
public class StockPriceTool implements Tool<StockPriceTool.TickerInput> {

    /** The input: one ticker symbol. */
    @RegisterForReflection
    public record TickerInput(
            @JsonPropertyDescription("The stock's ticker symbol, e.g. AAPL (case does not matter)") String ticker) {

        public TickerInput {
            if (ticker.isBlank()) {
                throw new IllegalArgumentException("ticker must not be blank");
            }
        }
    }

    private final QuoteSource quotes;
    private final ObjectMapper mapper;

    StockPriceTool(QuoteSource quotes, ObjectMapper mapper) {
        this.quotes = quotes;
        this.mapper = mapper;
    }

    @Override
    public String name() {
        return "get_stock_price";
    }

    @Override
    public String description() {
        return "Gets the latest price of a stock by its ticker symbol. Returns JSON with ticker, price, currency and"
                + " source; always tell the user the source.";
    }

    @Override
    public Class<TickerInput> inputType() {
        return TickerInput.class;
    }

    @Override
    public Uni<String> invoke(TickerInput input) {
        String ticker = input.ticker().strip();
        return quotes.quote(ticker.toUpperCase(Locale.ROOT)).map(quote -> quote
                .map(this::json)
                .orElseThrow(() -> new ToolException("Unknown ticker '" + Texts.shown(ticker) + "'")));
    }

    private String json(Quote quote) {
        try {
            return mapper.writeValueAsString(quote);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a quote cannot be written as JSON", e);
        }
    }
}
