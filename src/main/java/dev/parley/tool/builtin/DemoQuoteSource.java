package dev.parley.tool.builtin;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;

/**
 * Three fixed prices, labelled as demo data in every quote so that neither the model nor a user can mistake them for
 * market prices. The default {@link QuoteSource}: any other {@code QuoteSource} bean replaces it.
 */
@DefaultBean
@ApplicationScoped
public class DemoQuoteSource implements QuoteSource {

    /** The {@code source} of every demo quote. */
    public static final String SOURCE = "demo data, not market prices";

    private static final Map<String, BigDecimal> PRICES_IN_USD = Map.of(
            "AAPL", new BigDecimal("178.50"),
            "TSLA", new BigDecimal("242.10"),
            "NVDA", new BigDecimal("875.30"));

    @Override
    public Uni<Optional<Quote>> quote(String ticker) {
        String symbol = ticker.toUpperCase(Locale.ROOT);
        return Uni.createFrom().item(Optional.ofNullable(PRICES_IN_USD.get(symbol))
                .map(price -> new Quote(symbol, price, "USD", SOURCE)));
    }
}
