package dev.parley.ratelimit;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.UpstreamRateLimits;
import dev.parley.anthropic.UpstreamRateLimits.Limit;

/**
 * The model in this replica's memory: one entry per key and model, replaced atomically. Also the Redis store's local
 * copy, which the gauges read and which stands in while Redis does not answer.
 */
final class InMemoryUpstreamLimits implements UpstreamLimitsStore {

    private record Slot(String key, String model) {
    }

    private final Map<Slot, UpstreamRateLimits> states = new ConcurrentHashMap<>();

    @Override
    public Uni<Map<String, UpstreamRateLimits>> read(String model, List<String> keys) {
        return Uni.createFrom().item(() -> readNow(model, keys));
    }

    Map<String, UpstreamRateLimits> readNow(String model, List<String> keys) {
        Map<String, UpstreamRateLimits> known = new HashMap<>();
        for (String key : keys) {
            UpstreamRateLimits state = states.get(new Slot(key, model));
            if (state != null) {
                known.put(key, state);
            }
        }
        return known;
    }

    @Override
    public Uni<Void> observe(String key, String model, UpstreamRateLimits observed) {
        observeNow(key, model, observed);
        return Uni.createFrom().voidItem();
    }

    void observeNow(String key, String model, UpstreamRateLimits observed) {
        Instant now = Instant.now();
        states.merge(new Slot(key, model), observed, (known, fresh) -> KeyRoom.merged(known, fresh, now));
    }

    /** Puts a state read from elsewhere (Redis) in place of this replica's own. */
    void replace(String key, String model, UpstreamRateLimits state) {
        states.put(new Slot(key, model), state);
    }

    @Override
    public Uni<Void> reserve(String key, String model, long input) {
        reserveNow(key, model, input);
        return Uni.createFrom().voidItem();
    }

    void reserveNow(String key, String model, long input) {
        Instant now = Instant.now();
        states.computeIfPresent(new Slot(key, model), (slot, known) -> KeyRoom.reserved(known, input, now));
    }

    /** The least that remains of one kind of limit of {@code key} over its models, if any was reported. */
    OptionalLong leastRemaining(String key, Function<UpstreamRateLimits, java.util.Optional<Limit>> kind) {
        Instant now = Instant.now();
        return states.entrySet().stream().filter(entry -> entry.getKey().key().equals(key))
                .map(entry -> kind.apply(entry.getValue())).flatMap(java.util.Optional::stream)
                .mapToLong(limit -> KeyRoom.remaining(limit, now)).min();
    }
}
