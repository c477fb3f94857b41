package dev.parley.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.UpstreamRateLimits;
import dev.parley.anthropic.UpstreamRateLimits.Limit;

/**
 * The model shared by every replica through Redis: one hash per key and model
 * ({@code <prefix>upstream:<key name>:<model>}, fields {@code requests-limit}, {@code requests-remaining},
 * {@code requests-reset} in epoch milliseconds, the same for {@code input-tokens} and {@code output-tokens}, and
 * {@code refused-until}), expiring at its latest reset. An answer writes the limits it reported; an admitted call takes
 * its request and input off atomically, so replicas admitting at once do not each spend the same room.
 * <p>
 * Every call is bounded by {@code parley.rate-limits.redis-timeout}. A Redis that fails or does not answer never holds
 * a chat: the call is counted ({@code parley.upstream.ratelimit.store.failures}), logged, and admission goes on with
 * this replica's own copy, which every answer and every read keeps up to date.
 */
final class RedisUpstreamLimits implements UpstreamLimitsStore {

    /** Takes a request and input off what remains, only where a limit is known, never below zero. */
    private static final String RESERVE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            for i = 1, #ARGV, 2 do
              if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
                if redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1])) < 0 then
                  redis.call('HSET', KEYS[1], ARGV[i], 0)
                end
              end
            end
            return 1
            """;
    private static final String REFUSED_UNTIL = "refused-until";

    private final ReactiveRedisDataSource redis;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final InMemoryUpstreamLimits local;
    private final String prefix;
    private final Duration timeout;
    private final Counter failures;

    RedisUpstreamLimits(ReactiveRedisDataSource redis, InMemoryUpstreamLimits local, RateLimitsConfig config,
            Counter failures) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.local = local;
        this.prefix = config.redisKeyPrefix() + "upstream:";
        this.timeout = config.redisTimeout();
        this.failures = failures;
    }

    @Override
    public Uni<Map<String, UpstreamRateLimits>> read(String model, List<String> keys) {
        List<Uni<Map<String, String>>> reads = keys.stream().map(key -> hashes.hgetall(hash(key, model))).toList();
        return bounded("read", Uni.join().all(reads).andFailFast()).map(all -> {
            Map<String, UpstreamRateLimits> known = new HashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                if (!all.get(i).isEmpty()) {
                    UpstreamRateLimits state = state(all.get(i));
                    known.put(keys.get(i), state);
                    local.replace(keys.get(i), model, state);
                }
            }
            return known;
        }).onFailure().recoverWithItem(() -> local.readNow(model, keys));
    }

    @Override
    public Uni<Void> observe(String key, String model, UpstreamRateLimits observed) {
        local.observeNow(key, model, observed);
        Map<String, String> fields = fields(observed);
        if (fields.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String hash = hash(key, model);
        Instant expiry = KeyRoom.expiry(observed, Instant.now()).plusSeconds(1);
        return bounded("write", hashes.hset(hash, fields)
                .flatMap(ignored -> redis.key(String.class).pexpireat(hash, expiry.toEpochMilli())))
                .replaceWithVoid().onFailure().recoverWithNull();
    }

    @Override
    public Uni<Void> reserve(String key, String model, long input) {
        local.reserveNow(key, model, input);
        return bounded("reserve", redis.execute("EVAL", RESERVE, "1", hash(key, model), "requests-remaining", "1",
                "input-tokens-remaining", Long.toString(input)))
                .replaceWithVoid().onFailure().recoverWithNull();
    }

    /** The call within the timeout; a failure counted and logged (its operation, never a key), then passed on. */
    private <T> Uni<T> bounded(String operation, Uni<T> call) {
        return call.ifNoItem().after(timeout).fail()
                .onFailure().invoke(failure -> {
                    failures.increment();
                    Log.warnf("Redis %s of the upstream rate limits failed (%s); this replica's own model is used",
                            operation, failure.getClass().getSimpleName());
                });
    }

    private String hash(String key, String model) {
        return prefix + key + ":" + model;
    }

    private static Map<String, String> fields(UpstreamRateLimits limits) {
        Map<String, String> fields = new HashMap<>();
        put(fields, "requests", limits.requests());
        put(fields, "input-tokens", limits.inputTokens());
        put(fields, "output-tokens", limits.outputTokens());
        limits.refusedUntil().ifPresent(until -> fields.put(REFUSED_UNTIL, Long.toString(until.toEpochMilli())));
        return fields;
    }

    private static void put(Map<String, String> fields, String kind, Optional<Limit> limit) {
        limit.ifPresent(known -> {
            fields.put(kind + "-limit", Long.toString(known.limit()));
            fields.put(kind + "-remaining", Long.toString(known.remaining()));
            fields.put(kind + "-reset", Long.toString(known.reset().toEpochMilli()));
        });
    }

    /** A stored hash as limits: a field missing or unreadable leaves its limit unknown, as a header would. */
    static UpstreamRateLimits state(Map<String, String> fields) {
        return new UpstreamRateLimits(limit(fields, "requests"), limit(fields, "input-tokens"),
                limit(fields, "output-tokens"), number(fields.get(REFUSED_UNTIL)).map(Instant::ofEpochMilli));
    }

    private static Optional<Limit> limit(Map<String, String> fields, String kind) {
        Optional<Long> limit = number(fields.get(kind + "-limit"));
        Optional<Long> remaining = number(fields.get(kind + "-remaining"));
        Optional<Long> reset = number(fields.get(kind + "-reset"));
        if (limit.isEmpty() || remaining.isEmpty() || reset.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Limit(limit.get(), remaining.get(), Instant.ofEpochMilli(reset.get())));
    }

    private static Optional<Long> number(String value) {
        try {
            return value == null ? Optional.empty() : Optional.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
