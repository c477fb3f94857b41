package dev.parley.ratelimit;

import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.UpstreamRateLimits;

/** Where the model of the upstream keys' limits lives, per key name and model: this replica's memory, or Redis. */
interface UpstreamLimitsStore {

    /** The known state of each of {@code keys} for {@code model}; a key never heard of is absent. */
    Uni<Map<String, UpstreamRateLimits>> read(String model, List<String> keys);

    /** Folds what an answer said into the state of {@code key} for {@code model}. */
    Uni<Void> observe(String key, String model, UpstreamRateLimits observed);

    /** Takes one request of {@code input} tokens off the state of {@code key} for {@code model}. */
    Uni<Void> reserve(String key, String model, long input);
}
