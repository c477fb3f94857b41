package dev.parley.simulator;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models the simulated API knows (section 6 and §9 of the protocol reference, late 2026), newest first as
 * {@code GET /v1/models} lists them. A retired model stays in the catalogue (lifecycle {@code retired}, listed only
 * when asked for) but a message to it gets the real 404, as does an id the API never had.
 */
final class ModelCatalog {

    /**
     * One model. {@code cacheMinimumTokens} is the shortest prefix that can be cached; {@code created} is the epoch
     * where the release date is not known, as the real API does; {@code lifecycle} is {@code active},
     * {@code deprecated} or {@code retired}, with {@code deprecatedAt} and {@code retiresAt} (null when none);
     * {@code behaviour} is what it accepts and does with thinking, effort and tool choice.
     */
    record SimModel(String id, List<String> aliases, String displayName, Instant created, long maxInputTokens,
            long maxOutputTokens, long cacheMinimumTokens, String lifecycle, Instant deprecatedAt, Instant retiresAt,
            ModelBehaviour behaviour) {

        boolean answersTo(String name) {
            return id.equals(name) || aliases.contains(name);
        }

        boolean retired() {
            return lifecycle.equals("retired");
        }

        /** The model line ({@code opus}, {@code sonnet}, …) the catalogue reports, null for a model outside them. */
        String line() {
            return Stream.of("opus", "sonnet", "haiku", "fable", "mythos")
                    .filter(line -> id.startsWith("claude-" + line))
                    .findFirst().orElse(null);
        }

        SimModel deprecated(String since, String retires) {
            return new SimModel(id, aliases, displayName, created, maxInputTokens, maxOutputTokens, cacheMinimumTokens,
                    "deprecated", day(since), day(retires), behaviour);
        }

        SimModel retired(String since, String retiredOn) {
            return new SimModel(id, aliases, displayName, created, maxInputTokens, maxOutputTokens, cacheMinimumTokens,
                    "retired", day(since), day(retiredOn), behaviour);
        }
    }

    // Where the deprecation date is not known (Sonnet 4), the retirement date stands for it.
    private static final long MILLION = 1_000_000;
    private static final Instant UNKNOWN = Instant.EPOCH;

    static final List<SimModel> MODELS = List.of(
            model("claude-fable-5-2", "Claude Fable 5.2", "2026-11-09", 2048, ModelBehaviour.FABLE_5_2),
            model("claude-mythos-5-2", "Claude Mythos 5.2", "2026-11-09", 4096, ModelBehaviour.FABLE_5_2),
            model("claude-haiku-5-5", "Claude Haiku 5.5", "2026-10-07", 2048, ModelBehaviour.HAIKU_5_5),
            model("claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-09-28", 2048, ModelBehaviour.SONNET_5_5),
            model("claude-opus-5-5", "Claude Opus 5.5", "2026-09-22", 4096, ModelBehaviour.OPUS_5_5),
            model("claude-fable-5-1", "Claude Fable 5.1", "2026-09-01", 2048, ModelBehaviour.FABLE_5_1),
            model("claude-mythos-5-1", "Claude Mythos 5.1", "2026-09-01", 4096, ModelBehaviour.MYTHOS_5_1),
            model("claude-opus-5", "Claude Opus 5", "2026-07-24", 4096, ModelBehaviour.ADAPTIVE_ONLY),
            model("claude-sonnet-5", "Claude Sonnet 5", "2026-06-30", 2048, ModelBehaviour.SONNET_5),
            model("claude-fable-5", "Claude Fable 5", "2026-06-09", 2048, ModelBehaviour.ADAPTIVE_ONLY),
            model("claude-opus-4-8", "Claude Opus 4.8", "2026-05-28", 4096, ModelBehaviour.ADAPTIVE_OR_NONE),
            new SimModel("claude-opus-4-7", List.of(), "Claude Opus 4.7", UNKNOWN, MILLION, 128_000, 4096, "active",
                    null, null, ModelBehaviour.ADAPTIVE_OR_NONE),
            new SimModel("claude-opus-4-6", List.of(), "Claude Opus 4.6", UNKNOWN, MILLION, 128_000, 4096, "active",
                    null, null, ModelBehaviour.ADAPTIVE_OR_BUDGET),
            new SimModel("claude-sonnet-4-6", List.of(), "Claude Sonnet 4.6", UNKNOWN, MILLION, 64_000, 2048, "active",
                    null, null, ModelBehaviour.ADAPTIVE_OR_BUDGET),
            new SimModel("claude-opus-4-5-20251101", List.of("claude-opus-4-5"), "Claude Opus 4.5",
                    Instant.parse("2025-11-24T00:00:00Z"), 200_000, 64_000, 4096, "active", null, null,
                    ModelBehaviour.BUDGET).deprecated("2026-11-23", "2027-01-22"),
            new SimModel("claude-haiku-4-5-20251001", List.of("claude-haiku-4-5"), "Claude Haiku 4.5",
                    Instant.parse("2025-10-01T00:00:00Z"), 200_000, 64_000, 4096, "active", null, null,
                    ModelBehaviour.BUDGET),
            new SimModel("claude-sonnet-4-5-20250929", List.of("claude-sonnet-4-5"), "Claude Sonnet 4.5",
                    Instant.parse("2025-09-29T00:00:00Z"), 200_000, 64_000, 1024, "active", null, null,
                    ModelBehaviour.BUDGET).retired("2026-09-30", "2026-11-30"),
            new SimModel("claude-sonnet-4-20250514", List.of("claude-sonnet-4-0"), "Claude Sonnet 4",
                    Instant.parse("2025-05-14T00:00:00Z"), 200_000, 64_000, 1024, "active", null, null,
                    ModelBehaviour.BUDGET).retired("2026-06-15", "2026-06-15"));

    private final List<SimModel> known;

    /**
     * The catalog plus extra model ids (200K context, 64K output), e.g. to stand for a model released after
     * parley's price table was written.
     */
    ModelCatalog(List<String> extraModels) {
        this.known = Stream.concat(MODELS.stream(), extraModels.stream()
                .map(id -> new SimModel(id, List.of(), id, Instant.EPOCH, 200_000, 64_000, 1024, "active", null, null,
                        ModelBehaviour.ADAPTIVE_OR_BUDGET)))
                .toList();
    }

    /** Any model the catalogue knows, retired ones included ({@code GET /v1/models/{id}}). */
    Optional<SimModel> find(String name) {
        return known.stream().filter(model -> model.answersTo(name)).findFirst();
    }

    /** A model a message can be sent to: known and not retired; otherwise the API's 404. */
    SimModel serving(String name) {
        return find(name).filter(model -> !model.retired())
                .orElseThrow(() -> new SimulatedApiError(ErrorType.NOT_FOUND, "model: " + name));
    }

    List<SimModel> all() {
        return known;
    }

    /** A 2026 model: 1M context, 128K output. */
    private static SimModel model(String id, String displayName, String released, long cacheMinimum,
            ModelBehaviour behaviour) {
        return new SimModel(id, List.of(), displayName, day(released), MILLION, 128_000, cacheMinimum, "active", null,
                null, behaviour);
    }

    private static Instant day(String date) {
        return Instant.parse(date + "T00:00:00Z");
    }
}
