package dev.parley.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The application's own configuration loads into the pricing bean. */
@QuarkusTest
class PricingConfigurationTest {

    @Inject
    Pricing pricing;

    @Test
    void theConfiguredTablePricesSonnet46() {
        Cost cost = pricing.cost("claude-sonnet-4-6", new TokenUsage(1_000_000, 1_000_000, 0, 0, 0)).orElseThrow();

        assertThat(cost.inputUsd()).isEqualByComparingTo("3");
        assertThat(cost.outputUsd()).isEqualByComparingTo("15");
        assertThat(cost.totalUsd()).isEqualByComparingTo("18");
        assertThat(pricing.asOf()).isEqualTo(LocalDate.parse("2026-12-01"));
    }
}
