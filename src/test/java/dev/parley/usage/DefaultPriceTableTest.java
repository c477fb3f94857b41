package dev.parley.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The price table shipped in application.properties, read through the real configuration mapping, against
 * hand-computed amounts from the price list (protocol reference, section 6.1).
 */
class DefaultPriceTableTest {

    private static final long MILLION = 1_000_000;

    private static Pricing pricing;
    private static PricingConfig table;

    @BeforeAll
    static void loadTheShippedTable() {
        table = ShippedPrices.table();
        pricing = new Pricing(table, new SimpleMeterRegistry());
    }

    @Test
    void isDatedByTheNewestSource() {
        assertThat(pricing.asOf()).isEqualTo(LocalDate.parse("2026-12-01"));
    }

    @Test
    void sonnet46BillsAMillionInputTokensThreeDollars() {
        Cost cost = cost("claude-sonnet-4-6", new TokenUsage(MILLION, 0, 0, 0, 0));

        assertThat(cost.inputUsd()).isEqualByComparingTo("3");
        assertThat(cost.totalUsd()).isEqualByComparingTo("3");
    }

    @Test
    void sonnet46BillsOneOutputTokenFifteenMillionthsOfADollar() {
        assertThat(cost("claude-sonnet-4-6", new TokenUsage(0, 1, 0, 0, 0)).totalUsd())
                .isEqualByComparingTo("0.000015");
    }

    @Test
    void sonnet46BillsCacheWritesAndReadsByTheStandardMultipliers() {
        Cost cost = cost("claude-sonnet-4-6", new TokenUsage(0, 0, MILLION, MILLION, MILLION));

        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("3.75");
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("6");
        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.30");
        assertThat(cost.totalUsd()).isEqualByComparingTo("10.05");
    }

    @Test
    void sonnet46HasNoLongContextPremium() {
        assertThat(cost("claude-sonnet-4-6", new TokenUsage(500_000, 0, 0, 0, 0)).totalUsd())
                .isEqualByComparingTo("1.5");
    }

    @Test
    void fable51ReadsTheCacheAtItsOwnPriceNotTheMultiplier() {
        assertThat(cost("claude-fable-5-1", new TokenUsage(0, 0, MILLION, 0, 0)).cacheReadUsd())
                .isEqualByComparingTo("0.25");
        assertThat(cost("claude-fable-5", new TokenUsage(0, 0, MILLION, 0, 0)).cacheReadUsd())
                .isEqualByComparingTo("1.00");
    }

    @Test
    void opus55AndSonnet55ReadTheCacheAtTheirOwnPrices() {
        assertThat(pricing.price("claude-opus-5-5").orElseThrow().cacheRead()).isEqualByComparingTo("0.20");
        // 0.20 at launch, 0.10 since 2026-10-07 (Anthropic's release note of that day)
        assertThat(pricing.price("claude-sonnet-5-5").orElseThrow().cacheRead()).isEqualByComparingTo("0.10");
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-fable-5-2", "claude-mythos-5-2"})
    void fable52AndMythos52HaveTheirOwnPricesWithWritesByTheMultipliers(String model) {
        ModelPrice price = pricing.price(model).orElseThrow();

        assertThat(price.input()).isEqualByComparingTo("8");
        assertThat(price.output()).isEqualByComparingTo("40");
        assertThat(price.cacheWrite5m()).isEqualByComparingTo("10");
        assertThat(price.cacheWrite1h()).isEqualByComparingTo("16");
        assertThat(price.cacheRead()).isEqualByComparingTo("0.20"); // 0.025x, like Fable 5.1
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-fable-5-2", "claude-mythos-5-2"})
    void fable52AndMythos52BillTheirWholeMillionTokenContextAtOneRate(String model) {
        // 900,000 + 50,000 + 30,000 + 20,000 = 1,000,000 prompt tokens: no long-context band
        Cost cost = cost(model, new TokenUsage(900_000, 10_000, 50_000, 30_000, 20_000));

        assertThat(cost.inputUsd()).isEqualByComparingTo("7.2"); // × 8
        assertThat(cost.outputUsd()).isEqualByComparingTo("0.4"); // × 40
        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.01"); // × 0.20
        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("0.3"); // × 10
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("0.32"); // × 16
        assertThat(cost.totalUsd()).isEqualByComparingTo("8.23");
    }

    @Test
    void mythos51IsPricedLikeFable51() {
        ModelPrice price = pricing.price("claude-mythos-5-1").orElseThrow();

        assertThat(price).isEqualTo(pricing.price("claude-fable-5-1").orElseThrow());
        assertThat(price.input()).isEqualByComparingTo("10");
        assertThat(price.output()).isEqualByComparingTo("50");
        assertThat(price.cacheWrite5m()).isEqualByComparingTo("12.5");
        assertThat(price.cacheWrite1h()).isEqualByComparingTo("20");
        assertThat(price.cacheRead()).isEqualByComparingTo("0.25");
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"})
    void retiredSonnet45KeepsItsPriceForReplayingHistory(String model) {
        // below the 200K long-context threshold: 100,000 × 3 + 10,000 × 15 micro-dollars
        assertThat(cost(model, new TokenUsage(100_000, 10_000, 0, 0, 0)).totalUsd()).isEqualByComparingTo("0.45");
    }

    @Test
    void haiku55PromptOfExactly100kTokensIsBilledAtTheBaseBand() {
        // 60,000 + 30,000 + 6,000 + 4,000 = 100,000 prompt tokens
        Cost cost = cost("claude-haiku-5-5", new TokenUsage(60_000, 1_000, 30_000, 6_000, 4_000));

        assertThat(cost.inputUsd()).isEqualByComparingTo("0.006"); // × 0.10
        assertThat(cost.outputUsd()).isEqualByComparingTo("0.0005"); // × 0.50
        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.0003"); // × 0.01
        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("0.00075"); // × 0.125
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("0.0008"); // × 0.20
        assertThat(cost.totalUsd()).isEqualByComparingTo("0.00835");
    }

    @Test
    void haiku55PromptOf100001TokensRepricesTheWholeRequestOutputIncluded() {
        // 60,001 + 30,000 + 6,000 + 4,000 = 100,001 prompt tokens
        Cost cost = cost("claude-haiku-5-5", new TokenUsage(60_001, 1_000, 30_000, 6_000, 4_000));

        assertThat(cost.inputUsd()).isEqualByComparingTo("0.0300005"); // × 0.50
        assertThat(cost.outputUsd()).isEqualByComparingTo("0.0025"); // × 2.50
        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.0015"); // × 0.05
        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("0.00375"); // × 0.625
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("0.004"); // × 1.00
        assertThat(cost.totalUsd()).isEqualByComparingTo("0.0417505");
    }

    @Test
    void haiku55PriceIsTheBaseBand() {
        ModelPrice price = pricing.price("claude-haiku-5-5").orElseThrow();

        assertThat(price.input()).isEqualByComparingTo("0.10");
        assertThat(price.cacheWrite5m()).isEqualByComparingTo("0.125");
        assertThat(price.cacheWrite1h()).isEqualByComparingTo("0.20");
        assertThat(price.cacheRead()).isEqualByComparingTo("0.01");
        assertThat(price.output()).isEqualByComparingTo("0.50");
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "claude-sonnet-4-20250514",
            "claude-sonnet-4-0"})
    void sonnet4And45PromptOf200kTokensIsBilledAtStandardRates(String model) {
        Cost cost = cost(model, new TokenUsage(150_000, 1_000, 30_000, 10_000, 10_000));

        // 0.45 + 0.015 + 0.009 + 0.0375 + 0.06
        assertThat(cost.totalUsd()).isEqualByComparingTo("0.5715");
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "claude-sonnet-4-20250514",
            "claude-sonnet-4-0"})
    void sonnet4And45PromptAbove200kTokensBillsTheWholeRequestAtPremiumRates(String model) {
        Cost cost = cost(model, new TokenUsage(150_001, 1_000, 30_000, 10_000, 10_000));

        assertThat(cost.inputUsd()).isEqualByComparingTo("0.900006"); // × 6
        assertThat(cost.outputUsd()).isEqualByComparingTo("0.0225"); // × 22.50
        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.018"); // × 0.60
        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("0.075"); // × 7.50
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("0.12"); // × 12
        assertThat(cost.totalUsd()).isEqualByComparingTo("1.135506");
    }

    @Test
    void undatedAliasesPriceLikeTheirDatedIds() {
        TokenUsage usage = new TokenUsage(1_234, 567, 89_000, 1_000, 2_000);

        assertThat(pricing.cost("claude-haiku-4-5", usage)).isEqualTo(pricing.cost("claude-haiku-4-5-20251001", usage))
                .isPresent();
        assertThat(pricing.cost("claude-opus-4-5", usage)).isEqualTo(pricing.cost("claude-opus-4-5-20251101", usage))
                .isPresent();
        assertThat(pricing.cost("claude-opus-4-0", usage)).isEqualTo(pricing.cost("claude-opus-4-20250514", usage))
                .isPresent();
    }

    @Test
    void haiku3KeepsItsOwnCachePrices() {
        ModelPrice price = pricing.price("claude-3-haiku-20240307").orElseThrow();

        assertThat(price.cacheWrite5m()).isEqualByComparingTo("0.30");
        assertThat(price.cacheWrite1h()).isEqualByComparingTo("0.50");
        assertThat(price.cacheRead()).isEqualByComparingTo("0.03");
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-fable-5-2", "claude-mythos-5-2", "claude-fable-5-1", "claude-mythos-5-1",
            "claude-fable-5", "claude-mythos-5", "claude-opus-5-5",
            "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6", "claude-opus-4-5-20251101",
            "claude-opus-4-1-20250805", "claude-opus-4-20250514", "claude-sonnet-5-5", "claude-sonnet-5",
            "claude-sonnet-4-6", "claude-sonnet-4-5-20250929", "claude-sonnet-4-20250514", "claude-haiku-5-5",
            "claude-haiku-4-5-20251001", "claude-3-7-sonnet-20250219", "claude-3-5-haiku-20241022",
            "claude-3-opus-20240229", "claude-3-haiku-20240307"})
    void pricesEveryModelOfThePriceList(String model) {
        assertThat(pricing.price(model)).isPresent();
    }

    @Test
    void anUnknownModelHasNoCost() {
        assertThat(pricing.cost("claude-sonnet-9", new TokenUsage(1, 1, 0, 0, 0))).isEmpty();
    }

    @Test
    void sumsOfCallsCostTheSumOfTheirCosts() {
        TokenUsage first = new TokenUsage(1_000, 200, 0, 5_000, 0);
        TokenUsage second = new TokenUsage(300, 400, 5_000, 0, 0);

        Cost separately = cost("claude-sonnet-4-6", first).plus(cost("claude-sonnet-4-6", second));

        // 1,300 × 3 + 600 × 15 + 5,000 × 0.30 + 5,000 × 3.75 = 3,900 + 9,000 + 1,500 + 18,750 micro-dollars
        assertThat(separately.totalUsd()).isEqualByComparingTo("0.03315");
        assertThat(cost("claude-sonnet-4-6", first.plus(second)).totalUsd())
                .isEqualByComparingTo(separately.totalUsd());
    }

    @Test
    void readmePriceTableIsTheShippedOne() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("<!-- price-table -->"),
                readme.indexOf("<!-- /price-table -->"));
        List<String> rows = section.lines().filter(line -> line.startsWith("| `")).toList();
        assertThat(rows).hasSize(table.models().size());
        for (String row : rows) {
            String[] cells = row.split("\\|");
            String model = cells[1].trim().split("`")[1];
            ModelPrice price = pricing.price(model).orElseThrow(() -> new AssertionError("README prices " + model));
            assertThat(List.of(cells[2], cells[3], cells[4], cells[5], cells[6]).stream().map(String::trim)
                    .map(BigDecimal::new).toList()).as(model).usingElementComparator(BigDecimal::compareTo)
                    .containsExactly(price.input(), price.output(), price.cacheWrite5m(), price.cacheWrite1h(),
                            price.cacheRead());
        }
        assertThat(readme).contains("**as of " + pricing.asOf() + "**");
    }

    private static Cost cost(String model, TokenUsage usage) {
        return pricing.cost(model, usage).orElseThrow();
    }
}
