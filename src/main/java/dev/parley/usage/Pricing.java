package dev.parley.usage;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;

/**
 * Prices model calls from the configured price table ({@code parley.pricing.*}): tokens × price per million, per
 * token type, exactly. A model missing from the table has an unknown cost, never a guessed one.
 */
@Startup // a broken price table fails the boot, not the first request
@ApplicationScoped
public class Pricing {

    /** How many distinct unknown model names are remembered so that each is logged once. */
    static final int REMEMBERED_UNKNOWN_MODELS = 1_000;
    /** Unknown model names come from callers: only this much of one reaches the log. */
    private static final int LOGGED_NAME_LENGTH = 100;

    private static final BigDecimal CACHE_WRITE_5M_FACTOR = new BigDecimal("1.25");
    private static final BigDecimal CACHE_WRITE_1H_FACTOR = new BigDecimal("2");
    private static final BigDecimal CACHE_READ_FACTOR = new BigDecimal("0.1");

    private final LocalDate asOf;
    private final Map<String, Tariff> tariffsByName;
    private final Counter unknownModels;
    private final Set<String> loggedUnknownModels;

    @Inject
    Pricing(PricingConfig config, MeterRegistry registry) {
        this.asOf = Objects.requireNonNull(config.asOf(), "parley.pricing.as-of");
        this.tariffsByName = tariffsByName(config.models());
        this.unknownModels = Counter.builder("parley.pricing.unknown.model")
                .description("Model calls whose cost is unknown because their model has no configured price")
                .register(registry);
        this.loggedUnknownModels = Collections.newSetFromMap(Collections.synchronizedMap(
                new LinkedHashMap<>() { // insertion order: the oldest name is forgotten first
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                        return size() > REMEMBERED_UNKNOWN_MODELS;
                    }
                }));
    }

    /**
     * The cost of a usage for a model id or alias, in the price band its prompt size falls into. Empty when the model
     * is unknown (a {@code null} name included): then a warning is logged once per name and
     * {@code parley.pricing.unknown.model} is incremented.
     */
    public Optional<Cost> cost(String model, TokenUsage usage) {
        Objects.requireNonNull(usage, "usage");
        Tariff tariff = model == null ? null : tariffsByName.get(model);
        if (tariff == null) {
            unknownModel(model);
            return Optional.empty();
        }
        return Optional.of(costAt(tariff.priceFor(usage.totalInputTokens()), usage));
    }

    /**
     * The base prices of a model id or alias (those of a prompt of size 0), or empty when the model is unknown. A
     * lookup only: unlike {@link #cost}, it neither logs nor counts.
     */
    public Optional<ModelPrice> price(String model) {
        return Optional.ofNullable(model == null ? null : tariffsByName.get(model)).map(Tariff::base);
    }

    /** The date the price table was last checked against its sources. */
    public LocalDate asOf() {
        return asOf;
    }

    private void unknownModel(String model) {
        unknownModels.increment();
        String name = loggable(model);
        if (loggedUnknownModels.add(name)) {
            Log.warnf("Model '%s' has no configured price; the cost of its calls is unknown"
                    + " (configure parley.pricing.models.<model-id>.*)", name);
        }
    }

    /** A caller-supplied name made safe for a single log line and bounded in size. */
    private static String loggable(String model) {
        if (model == null) {
            return "<none>";
        }
        String bounded = model.length() > LOGGED_NAME_LENGTH ? model.substring(0, LOGGED_NAME_LENGTH) + "..." : model;
        return bounded.replaceAll("\\p{Cntrl}", "?");
    }

    private static Cost costAt(ModelPrice price, TokenUsage usage) {
        BigDecimal input = usd(usage.inputTokens(), price.input());
        BigDecimal output = usd(usage.outputTokens(), price.output());
        BigDecimal cacheRead = usd(usage.cacheReadInputTokens(), price.cacheRead());
        BigDecimal cacheWrite5m = usd(usage.cacheWrite5mInputTokens(), price.cacheWrite5m());
        BigDecimal cacheWrite1h = usd(usage.cacheWrite1hInputTokens(), price.cacheWrite1h());
        BigDecimal total = input.add(output).add(cacheRead).add(cacheWrite5m).add(cacheWrite1h);
        // The same prompt tokens at the plain input price of the same band, had nothing been cached.
        BigDecimal uncached = usd(Math.addExact(usage.cacheReadInputTokens(), usage.cacheCreationInputTokens()),
                price.input());
        BigDecimal saved = uncached.subtract(cacheRead).subtract(cacheWrite5m).subtract(cacheWrite1h);
        return new Cost(total, input, output, cacheRead, cacheWrite5m, cacheWrite1h, saved);
    }

    /** Exact: prices are per million tokens, so the decimal point moves instead of a division that might round. */
    private static BigDecimal usd(long tokens, BigDecimal pricePerMillion) {
        return BigDecimal.valueOf(tokens).multiply(pricePerMillion).movePointLeft(6);
    }

    private static Map<String, Tariff> tariffsByName(Map<String, PricingConfig.ModelPricing> models) {
        Map<String, Tariff> byName = new HashMap<>();
        Map<String, String> idOfName = new HashMap<>();
        models.forEach((id, model) -> {
            String key = "parley.pricing.models." + id;
            Tariff tariff = new Tariff(price(key, model),
                    model.longContext().map(band -> longContext(key + ".long-context", band)));
            for (String name : names(key, id, model.aliases().orElse(List.of()))) {
                String previous = idOfName.putIfAbsent(name, id);
                if (previous != null) {
                    throw new IllegalStateException(key + ": the name '" + name + "' already belongs to model '"
                            + previous + "'; a model id or alias must name exactly one model");
                }
                byName.put(name, tariff);
            }
        });
        return Map.copyOf(byName);
    }

    private static List<String> names(String key, String id, List<String> aliases) {
        for (String alias : aliases) {
            if (alias.isBlank()) {
                throw new IllegalStateException(key + ".aliases: an alias must not be blank");
            }
        }
        return Stream.concat(Stream.of(id), aliases.stream().map(String::strip))
                .distinct()
                .toList();
    }

    private static LongContextBand longContext(String key, PricingConfig.LongContext band) {
        if (band.thresholdTokens() < 0) {
            throw new IllegalStateException(key + ".threshold-tokens must not be negative, was "
                    + band.thresholdTokens());
        }
        return new LongContextBand(band.thresholdTokens(), price(key, band));
    }

    private static ModelPrice price(String key, PricingConfig.Rates rates) {
        BigDecimal input = nonNegative(key + ".input", rates.input());
        return new ModelPrice(
                input,
                nonNegative(key + ".output", rates.output()),
                nonNegative(key + ".cache-write-5m",
                        rates.cacheWrite5m().orElseGet(() -> input.multiply(CACHE_WRITE_5M_FACTOR))),
                nonNegative(key + ".cache-write-1h",
                        rates.cacheWrite1h().orElseGet(() -> input.multiply(CACHE_WRITE_1H_FACTOR))),
                nonNegative(key + ".cache-read",
                        rates.cacheRead().orElseGet(() -> input.multiply(CACHE_READ_FACTOR))));
    }

    private static BigDecimal nonNegative(String key, BigDecimal price) {
        if (price == null || price.signum() < 0) {
            throw new IllegalStateException(key + " must be a price of zero or more USD per million tokens, was "
                    + price);
        }
        return price;
    }

    /** A model's prices: the base band and, for some models, a band for long prompts. */
    private record Tariff(ModelPrice base, Optional<LongContextBand> longContext) {

        ModelPrice priceFor(long promptTokens) {
            return longContext.filter(band -> promptTokens > band.thresholdTokens())
                    .map(LongContextBand::price)
                    .orElse(base);
        }
    }

    private record LongContextBand(long thresholdTokens, ModelPrice price) {
    }
}
