package dev.parley.tool.builtin;

import java.util.Optional;

import io.smallrye.mutiny.Uni;

/**
 * Where {@code get_stock_price} gets its prices. parley ships {@link DemoQuoteSource}, fixed demo data; an application
 * with a market data feed provides its own bean of this type, which replaces the demo one.
 */
public interface QuoteSource {

    /** The latest price of a ticker (upper case, e.g. {@code AAPL}); empty when the ticker is unknown. */
    Uni<Optional<Quote>> quote(String ticker);
}
