package dev.parley.usage;

import static dev.parley.usage.TestPriceTable.band;
import static dev.parley.usage.TestPriceTable.model;
import static dev.parley.usage.TestPriceTable.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The pricing rules, on price tables written here; the shipped table is checked by {@link DefaultPriceTableTest}. */
class PricingTest {

    private static final long MILLION = 1_000_000;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> warnings = new ArrayList<>();
    private final Logger pricingLogger = Logger.getLogger(Pricing.class.getName());
    private final Handler warningCollector = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(String.valueOf(record.getMessage()).formatted(record.getParameters()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void collectWarnings() {
        pricingLogger.addHandler(warningCollector);
        pricingLogger.setUseParentHandlers(false); // some tests warn a thousand times; keep them off the console
    }

    @AfterEach
    void stopCollectingWarnings() {
        pricingLogger.removeHandler(warningCollector);
        pricingLogger.setUseParentHandlers(true);
    }

    private Pricing pricing(TestPriceTable table) {
        return new Pricing(table.config(), registry);
    }

    @Test
    void pricesEachTokenTypeAtItsRatePerMillionWithCachePricesFromTheStandardMultipliers() {
        Pricing pricing = pricing(table().model("m", model("3", "15")));

        assertThat(cost(pricing, "m", new TokenUsage(MILLION, 0, 0, 0, 0)).inputUsd()).isEqualByComparingTo("3");
        assertThat(cost(pricing, "m", new TokenUsage(0, 1, 0, 0, 0)).outputUsd()).isEqualByComparingTo("0.000015");
        assertThat(cost(pricing, "m", new TokenUsage(0, 0, 0, MILLION, 0)).cacheWrite5mUsd())
                .isEqualByComparingTo("3.75");
        assertThat(cost(pricing, "m", new TokenUsage(0, 0, 0, 0, MILLION)).cacheWrite1hUsd())
                .isEqualByComparingTo("6");
        assertThat(cost(pricing, "m", new TokenUsage(0, 0, MILLION, 0, 0)).cacheReadUsd()).isEqualByComparingTo("0.30");
    }

    @Test
    void totalIsTheSumOfThePartsWithoutRounding() {
        Pricing pricing = pricing(table().model("m", model("3", "15")));

        // 7×3 + 11×15 + 13×0.30 + 17×3.75 + 19×6 = 21 + 165 + 3.9 + 63.75 + 114 = 367.65 micro-dollars
        Cost cost = cost(pricing, "m", new TokenUsage(7, 11, 13, 17, 19));

        assertThat(cost.inputUsd()).isEqualByComparingTo("0.000021");
        assertThat(cost.outputUsd()).isEqualByComparingTo("0.000165");
        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.0000039");
        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("0.00006375");
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("0.000114");
        assertThat(cost.totalUsd()).isEqualByComparingTo("0.00036765");
    }

    @Test
    void keepsEveryDigitOfAFractionOfAMicroDollar() {
        Pricing pricing = pricing(table().model("tiny", model("0.10", "0.50").cacheRead("0.01")));

        // one cached token at $0.01 per million: a hundredth of a micro-dollar
        assertThat(cost(pricing, "tiny", new TokenUsage(0, 0, 1, 0, 0)).totalUsd())
                .isEqualByComparingTo("0.00000001");
    }

    @Test
    void explicitCachePricesReplaceTheMultipliers() {
        Pricing pricing = pricing(table().model("m",
                model("0.25", "1.25").cacheWrite5m("0.30").cacheWrite1h("0.50").cacheRead("0.03")));

        Cost cost = cost(pricing, "m", new TokenUsage(0, 0, MILLION, MILLION, MILLION));

        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("0.30");
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("0.50");
        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.03");
        assertThat(cost.totalUsd()).isEqualByComparingTo("0.83");
    }

    @Test
    void priceIsTheBaseBandWithItsDefaultedCachePrices() {
        Pricing pricing = pricing(table().model("m", model("2", "10").longContext(band(100, "4", "20"))));

        ModelPrice price = pricing.price("m").orElseThrow();

        assertThat(price.input()).isEqualByComparingTo("2");
        assertThat(price.output()).isEqualByComparingTo("10");
        assertThat(price.cacheWrite5m()).isEqualByComparingTo("2.50");
        assertThat(price.cacheWrite1h()).isEqualByComparingTo("4");
        assertThat(price.cacheRead()).isEqualByComparingTo("0.20");
    }

    @Test
    void anAliasPricesExactlyLikeTheModelId() {
        Pricing pricing = pricing(table().model("model-20250101", model("1", "5").aliases("model-latest", "model")));
        TokenUsage usage = new TokenUsage(123, 456, 789, 10, 11);

        assertThat(pricing.cost("model-latest", usage)).isEqualTo(pricing.cost("model-20250101", usage));
        assertThat(pricing.cost("model", usage)).isEqualTo(pricing.cost("model-20250101", usage));
        assertThat(pricing.price("model-latest")).isEqualTo(pricing.price("model-20250101"));
    }

    @Test
    void matchesNamesExactlyOnly() {
        Pricing pricing = pricing(table().model("claude-x", model("1", "5")));

        assertThat(pricing.cost("Claude-X", TokenUsage.ZERO)).isEmpty();
        assertThat(pricing.cost(" claude-x", TokenUsage.ZERO)).isEmpty();
        assertThat(pricing.cost("claude-x-20250101", TokenUsage.ZERO)).isEmpty();
        assertThat(pricing.price("claude")).isEmpty();
    }

    @Test
    void aPromptAtTheThresholdIsBilledAtTheBasePrices() {
        Pricing pricing = pricing(table().model("m", model("1", "5").longContext(band(1_000, "2", "8"))));

        // 400 + 300 + 200 + 100 = 1,000 prompt tokens: not above the threshold
        Cost cost = cost(pricing, "m", new TokenUsage(400, 1_000, 300, 200, 100));

        assertThat(cost.inputUsd()).isEqualByComparingTo("0.0004");
        assertThat(cost.outputUsd()).isEqualByComparingTo("0.005");
    }

    @Test
    void aPromptAboveTheThresholdBillsTheWholeRequestAtTheLongContextPrices() {
        Pricing pricing = pricing(table().model("m", model("1", "5").longContext(band(1_000, "2", "8"))));

        // 401 + 300 + 200 + 100 = 1,001 prompt tokens; cache prices follow the premium input of 2
        Cost cost = cost(pricing, "m", new TokenUsage(401, 1_000, 300, 200, 100));

        assertThat(cost.inputUsd()).isEqualByComparingTo("0.000802");
        assertThat(cost.outputUsd()).isEqualByComparingTo("0.008");
        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.00006");
        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("0.0005");
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("0.0004");
        assertThat(cost.totalUsd()).isEqualByComparingTo("0.009762");
    }

    @Test
    void outputDoesNotCountTowardsTheThreshold() {
        Pricing pricing = pricing(table().model("m", model("1", "5").longContext(band(1_000, "2", "8"))));

        assertThat(cost(pricing, "m", new TokenUsage(1_000, 5_000, 0, 0, 0)).outputUsd()).isEqualByComparingTo("0.025");
    }

    @Test
    void aLongContextBandMayNameItsOwnCachePrices() {
        Pricing pricing = pricing(table().model("m",
                model("1", "5").longContext(band(0, "2", "8").cacheRead("0.05"))));

        assertThat(cost(pricing, "m", new TokenUsage(0, 0, MILLION, 0, 0)).cacheReadUsd()).isEqualByComparingTo("0.05");
    }

    @Test
    void savedIsCachedAndCacheWrittenTokensAtThePlainInputPriceMinusTheirCostWithAnOwnCacheReadPrice() {
        // Opus 5.5's prices: input 4, output 20, cache read 0.20 (0.05x, not the multiplier), writes 5 and 8
        Pricing pricing = pricing(table().model("opus", model("4", "20").cacheRead("0.20")));

        Cost cost = cost(pricing, "opus", new TokenUsage(12_345, 678, 150_001, 7_003, 3_001));

        assertThat(cost.cacheReadUsd()).isEqualByComparingTo("0.0300002"); // 150,001 × 0.20
        assertThat(cost.cacheWrite5mUsd()).isEqualByComparingTo("0.035015"); // 7,003 × 5
        assertThat(cost.cacheWrite1hUsd()).isEqualByComparingTo("0.024008"); // 3,001 × 8
        // 160,005 × 4 = 640,020 micro-dollars, minus 30,000.2 + 35,015 + 24,008: the 1h writes cost more than plain
        // input and count against the saving, the uncached input and the output count not at all
        assertThat(cost.savedUsd()).isEqualByComparingTo("0.5509968");
    }

    @Test
    void savedIsReckonedAtTheInputPriceOfTheBandTheRequestIsBilledIn() {
        // Haiku 5.5's prices: 0.10 / 0.50 up to 100,000 prompt tokens, above that 0.50 / 2.50 for the whole request
        Pricing pricing = pricing(table().model("haiku",
                model("0.10", "0.50").longContext(band(100_000, "0.50", "2.50"))));

        // 40,000 + 50,003 + 6,001 + 3,999 = 100,003 prompt tokens: the long-context band
        Cost above = cost(pricing, "haiku", new TokenUsage(40_000, 2_000, 50_003, 6_001, 3_999));
        // 60,003 × 0.50 = 30,001.5 micro-dollars, minus 50,003 × 0.05 + 6,001 × 0.625 + 3,999 × 1.00
        assertThat(above.savedUsd()).isEqualByComparingTo("0.019751725");

        // the same cache tokens in a prompt of exactly 100,000: the base band, at a fifth of the prices
        Cost within = cost(pricing, "haiku", new TokenUsage(39_997, 2_000, 50_003, 6_001, 3_999));
        // 60,003 × 0.10 = 6,000.3 micro-dollars, minus 50,003 × 0.01 + 6,001 × 0.125 + 3,999 × 0.20
        assertThat(within.savedUsd()).isEqualByComparingTo("0.003950345");
    }

    @Test
    void anUnknownModelHasNoCostIsCountedEveryTimeAndWarnedAboutOnce() {
        Pricing pricing = pricing(table().model("m", model("1", "5")));

        assertThat(pricing.cost("gpt-4o", new TokenUsage(10, 10, 0, 0, 0))).isEmpty();
        assertThat(pricing.cost("gpt-4o", new TokenUsage(10, 10, 0, 0, 0))).isEmpty();
        assertThat(pricing.cost("mistral-large", TokenUsage.ZERO)).isEmpty();

        assertThat(unknownModelCount()).isEqualTo(3.0);
        assertThat(registry.get("parley.pricing.unknown.model").counter().getId().getTags()).isEmpty();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("'gpt-4o'");
        assertThat(warnings.get(1)).contains("'mistral-large'");
    }

    @Test
    void aMissingModelNameIsAnUnknownModel() {
        Pricing pricing = pricing(table().model("m", model("1", "5")));

        assertThat(pricing.cost(null, TokenUsage.ZERO)).isEmpty();
        assertThat(pricing.price(null)).isEmpty();
        assertThat(unknownModelCount()).isEqualTo(1.0);
    }

    @Test
    void aPriceLookupNeitherCountsNorWarns() {
        Pricing pricing = pricing(table().model("m", model("1", "5")));

        assertThat(pricing.price("gpt-4o")).isEmpty();

        assertThat(unknownModelCount()).isZero();
        assertThat(warnings).isEmpty();
    }

    @Test
    void remembersABoundedNumberOfUnknownNames() {
        Pricing pricing = pricing(table().model("m", model("1", "5")));

        for (int i = 0; i <= Pricing.REMEMBERED_UNKNOWN_MODELS; i++) {
            pricing.cost("unknown-" + i, TokenUsage.ZERO);
        }
        pricing.cost("unknown-" + Pricing.REMEMBERED_UNKNOWN_MODELS, TokenUsage.ZERO);
        pricing.cost("unknown-0", TokenUsage.ZERO); // forgotten to make room, so warned about again

        assertThat(warnings).hasSize(Pricing.REMEMBERED_UNKNOWN_MODELS + 2);
        assertThat(warnings.getLast()).contains("'unknown-0'");
    }

    @Test
    void aCallerSuppliedNameCannotForgeLogLines() {
        Pricing pricing = pricing(table().model("m", model("1", "5")));

        pricing.cost("evil\nINFO forged line" + "x".repeat(500), TokenUsage.ZERO);

        assertThat(warnings).singleElement().satisfies(line -> {
            assertThat(line).doesNotContain("\n").contains("evil?INFO forged line");
            assertThat(line).hasSizeLessThan(400);
        });
    }

    @Test
    void knowsTheDateOfItsPrices() {
        assertThat(pricing(table()).asOf()).isEqualTo(TestPriceTable.AS_OF);
    }

    @Test
    void refusesANameThatWouldNameTwoModels() {
        TestPriceTable table = table()
                .model("model-a", model("1", "5").aliases("latest"))
                .model("model-b", model("2", "10").aliases("latest"));

        assertThatThrownBy(() -> pricing(table))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'latest'")
                .hasMessageContaining("exactly one model");
    }

    @Test
    void refusesAnAliasThatIsAnotherModelsId() {
        TestPriceTable table = table()
                .model("model-a", model("1", "5"))
                .model("model-b", model("2", "10").aliases("model-a"));

        assertThatThrownBy(() -> pricing(table)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesANegativePriceNamingItsKey() {
        TestPriceTable table = table().model("m", model("1", "5").cacheRead("-0.1"));

        assertThatThrownBy(() -> pricing(table))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("parley.pricing.models.m.cache-read");
    }

    private static Cost cost(Pricing pricing, String model, TokenUsage usage) {
        return pricing.cost(model, usage).orElseThrow();
    }

    private double unknownModelCount() {
        return registry.get("parley.pricing.unknown.model").counter().count();
    }
}
