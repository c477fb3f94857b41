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
     * Longest a budget call (a reservation, {@code GET /v1/budget}) waits for the database; past it a budgeted request
     * is answered 503 {@code budget_unavailable}. Default 3s.
     */
    @WithDefault("3s")
    Duration timeout();

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
