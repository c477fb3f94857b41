package dev.parley.simulator;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The models the simulated API serves (section 6 of the protocol reference, late 2026): models retired on the
 * first-party API are absent, so asking for one gets the real 404. Newest first, as {@code GET /v1/models} lists them.
 */
final class ModelCatalog {

    /**
     * One served model. {@code cacheMinimumTokens} is the shortest prefix that can be cached; {@code created} is the
     * epoch where the release date is not known, as the real API does; {@code lifecycle} is {@code active} or
     * {@code deprecated}.
     */
    record SimModel(String id, List<String> aliases, String displayName, Instant created, long maxInputTokens,
            long maxOutputTokens, long cacheMinimumTokens, String lifecycle) {

        boolean answersTo(String name) {
            return id.equals(name) || aliases.contains(name);
        }
    }

    private static final long MILLION = 1_000_000;
    private static final Instant UNKNOWN = Instant.EPOCH;

    static final List<SimModel> MODELS = List.of(
            model("claude-haiku-5-5", "Claude Haiku 5.5", "2026-10-07", MILLION, 128_000, 2048),
            model("claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-09-29", MILLION, 128_000, 2048),
            model("claude-opus-5-5", "Claude Opus 5.5", "2026-09-23", MILLION, 128_000, 4096),
            model("claude-fable-5-1", "Claude Fable 5.1", "2026-09-01", MILLION, 128_000, 2048),
            model("claude-opus-5", "Claude Opus 5", "2026-07-24", MILLION, 128_000, 4096),
            model("claude-sonnet-5", "Claude Sonnet 5", "2026-06-30", MILLION, 128_000, 2048),
            model("claude-fable-5", "Claude Fable 5", "2026-06-09", MILLION, 128_000, 2048),
            model("claude-opus-4-8", "Claude Opus 4.8", "2026-05-28", MILLION, 128_000, 4096),
            new SimModel("claude-opus-4-7", List.of(), "Claude Opus 4.7", UNKNOWN, MILLION, 128_000, 4096, "active"),
            new SimModel("claude-opus-4-6", List.of(), "Claude Opus 4.6", UNKNOWN, MILLION, 128_000, 4096, "active"),
            new SimModel("claude-sonnet-4-6", List.of(), "Claude Sonnet 4.6", UNKNOWN, MILLION, 64_000, 2048, "active"),
            new SimModel("claude-opus-4-5-20251101", List.of("claude-opus-4-5"), "Claude Opus 4.5",
                    Instant.parse("2025-11-24T00:00:00Z"), 200_000, 64_000, 4096, "active"),
            new SimModel("claude-haiku-4-5-20251001", List.of("claude-haiku-4-5"), "Claude Haiku 4.5",
                    Instant.parse("2025-10-01T00:00:00Z"), 200_000, 64_000, 4096, "active"),
            new SimModel("claude-sonnet-4-5-20250929", List.of("claude-sonnet-4-5"), "Claude Sonnet 4.5",
                    Instant.parse("2025-09-29T00:00:00Z"), 200_000, 64_000, 1024, "deprecated"),
            new SimModel("claude-sonnet-4-20250514", List.of("claude-sonnet-4-0"), "Claude Sonnet 4",
                    Instant.parse("2025-05-14T00:00:00Z"), 200_000, 64_000, 1024, "deprecated"));

    private final List<SimModel> served;

    /**
     * The catalog plus extra model ids (200K context, 64K output), e.g. to stand for a model released after
     * parley's price table was written.
     */
    ModelCatalog(List<String> extraModels) {
        this.served = java.util.stream.Stream.concat(MODELS.stream(), extraModels.stream()
                .map(id -> new SimModel(id, List.of(), id, Instant.EPOCH, 200_000, 64_000, 1024, "active")))
                .toList();
    }

    Optional<SimModel> find(String name) {
        return served.stream().filter(model -> model.answersTo(name)).findFirst();
    }

    List<SimModel> all() {
        return served;
    }

    private static SimModel model(String id, String displayName, String released, long maxInput, long maxOutput,
            long cacheMinimum) {
        return new SimModel(id, List.of(), displayName, Instant.parse(released + "T00:00:00Z"), maxInput, maxOutput,
                cacheMinimum, "active");
    }
}
