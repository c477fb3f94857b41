package dev.parley.usage.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Spending limits per caller in USD ({@code parley.budgets.*}), per UTC day and per UTC month. A caller without a
 * budget of its own has the {@code default} one; without either, its spending is not limited.
 */
@ConfigMapping(prefix = "parley.budgets")
public interface BudgetConfig {

    /** Budgets by caller name (the names of {@code parley.auth.keys}, or the gateway's caller header). */
    Map<String, Limits> callers();

    /** The budget of every caller that has none of its own. None by default. */
    @WithName("default")
    Optional<Limits> defaults();

    /**
     * Characters of the request per input token when estimating a turn's worst case before the call. The request is
     * measured as its JSON, which overstates the text; 3 overstates English (about 4 per token) further. Default 3.
     */
    @WithDefault("3")
    int estimateCharsPerToken();

    /**
     * Input tokens added to the estimate when tools are offered: the API's hidden tool-use system prompt (a few
     * hundred tokens, per model; the pricing page lists them). Default 600.
     */
    @WithDefault("600")
    int estimateToolPromptTokens();

    /** How long past its turn's deadline a reservation lasts if its turn is never recorded (a crash). Default 5m. */
    @WithDefault("5m")
    Duration reservationMargin();

    /** One caller's limits; either may be absent. */
    interface Limits {

        /** Most the caller may spend per UTC day. */
        Optional<BigDecimal> dailyUsd();

        /** Most the caller may spend per UTC calendar month. */
        Optional<BigDecimal> monthlyUsd();
    }
}
