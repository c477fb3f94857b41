package dev.parley.tool.builtin;

import java.math.BigDecimal;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A stock price: what {@code get_stock_price} returns to the model, as JSON, and where it comes from. */
@RegisterForReflection
public record Quote(String ticker, BigDecimal price, String currency, String source) {
}
