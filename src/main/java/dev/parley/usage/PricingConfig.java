package dev.parley.usage;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * The price table ({@code parley.pricing.*}): USD per million tokens per model. Prices change, so the table is
 * configuration and says how old it is; application.properties ships the table of the newest sources.
 */
@ConfigMapping(prefix = "parley.pricing")
interface PricingConfig {

    /** The date the table was last checked against its sources. No default: a price table always has a date. */
    LocalDate asOf();

    /**
     * Prices by model id (the key, e.g. {@code claude-sonnet-4-6}). No default beyond the shipped table; a model
     * missing here has an unknown cost.
     */
    Map<String, ModelPricing> models();

    /** The prices of one price band, per million tokens. */
    interface Rates {

        /** Uncached input tokens. Required. */
        BigDecimal input();

        /** Output tokens, thinking included. Required. */
        BigDecimal output();

        /** Cache writes with the 5-minute lifetime. Default: {@code input} × 1.25. */
        @WithName("cache-write-5m")
        Optional<BigDecimal> cacheWrite5m();

        /** Cache writes with the 1-hour lifetime. Default: {@code input} × 2. */
        @WithName("cache-write-1h")
        Optional<BigDecimal> cacheWrite1h();

        /** Cache reads (hits and refreshes). Default: {@code input} × 0.1. */
        Optional<BigDecimal> cacheRead();
    }

    /** One model: its base prices, other names, and an optional long-context band. */
    interface ModelPricing extends Rates {

        /** Other names of the model, matched exactly (e.g. the undated alias of a dated id). Default: none. */
        Optional<List<String>> aliases();

        /** Prices for a whole request whose prompt exceeds a threshold. Default: none, one band for all sizes. */
        Optional<LongContext> longContext();
    }

    /**
     * A price band for long prompts: when the whole prompt (input + cache read + cache writes) exceeds
     * {@code threshold-tokens}, every token of the request, output included, is billed at these prices.
     */
    interface LongContext extends Rates {

        /** The largest prompt still billed at the base prices. Required when the band is configured. */
        long thresholdTokens();
    }
}
