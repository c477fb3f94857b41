package dev.parley.usage;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Price tables written in a test: plain implementations of the configuration mapping, built fluently. */
final class TestPriceTable {

    static final LocalDate AS_OF = LocalDate.parse("2026-10-25");

    private final Map<String, PricingConfig.ModelPricing> models = new LinkedHashMap<>();

    static TestPriceTable table() {
        return new TestPriceTable();
    }

    TestPriceTable model(String id, ModelRow model) {
        models.put(id, model);
        return this;
    }

    PricingConfig config() {
        return new TableConfig(AS_OF, Map.copyOf(models));
    }

    /** Prices per million tokens with every optional entry left out. */
    static ModelRow model(String input, String output) {
        return new ModelRow(new BigDecimal(input), new BigDecimal(output), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    static BandRow band(long thresholdTokens, String input, String output) {
        return new BandRow(thresholdTokens, new BigDecimal(input), new BigDecimal(output), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    record TableConfig(LocalDate asOf, Map<String, ModelPricing> models) implements PricingConfig {
    }

    record ModelRow(BigDecimal input, BigDecimal output, Optional<BigDecimal> cacheWrite5m,
            Optional<BigDecimal> cacheWrite1h, Optional<BigDecimal> cacheRead, Optional<List<String>> aliases,
            Optional<PricingConfig.LongContext> longContext) implements PricingConfig.ModelPricing {

        ModelRow cacheWrite5m(String price) {
            return new ModelRow(input, output, Optional.of(new BigDecimal(price)), cacheWrite1h, cacheRead, aliases,
                    longContext);
        }

        ModelRow cacheWrite1h(String price) {
            return new ModelRow(input, output, cacheWrite5m, Optional.of(new BigDecimal(price)), cacheRead, aliases,
                    longContext);
        }

        ModelRow cacheRead(String price) {
            return new ModelRow(input, output, cacheWrite5m, cacheWrite1h, Optional.of(new BigDecimal(price)), aliases,
                    longContext);
        }

        ModelRow aliases(String... names) {
            return new ModelRow(input, output, cacheWrite5m, cacheWrite1h, cacheRead, Optional.of(List.of(names)),
                    longContext);
        }

        ModelRow longContext(BandRow band) {
            return new ModelRow(input, output, cacheWrite5m, cacheWrite1h, cacheRead, aliases, Optional.of(band));
        }
    }

    record BandRow(long thresholdTokens, BigDecimal input, BigDecimal output, Optional<BigDecimal> cacheWrite5m,
            Optional<BigDecimal> cacheWrite1h, Optional<BigDecimal> cacheRead) implements PricingConfig.LongContext {

        BandRow cacheRead(String price) {
            return new BandRow(thresholdTokens, input, output, cacheWrite5m, cacheWrite1h,
                    Optional.of(new BigDecimal(price)));
        }
    }
}
