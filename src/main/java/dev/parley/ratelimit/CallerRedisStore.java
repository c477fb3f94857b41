package dev.parley.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;

/**
 * The window counts in Redis, shared by every replica: one integer key per caller, kind and window, under
 * {@code parley.rate-limits.redis-key-prefix}. A list of changes is one Lua script, which Redis runs atomically: the
 * checks and the increments of two replicas never interleave. Every call is bounded by
 * {@code parley.rate-limits.redis-timeout}; any failure (refused, cut, an error reply, no answer in time) becomes a
 * {@link CallerLimitsUnavailableException}, delivered on the caller's Vert.x context.
 */
final class CallerRedisStore implements CallerStore {

    /**
     * KEYS: the windows; ARGV: per key its delta, its limit (0: never refused) and when it may expire (epoch ms).
     * Returns {refused index (0 when applied, else 1-based), total, total, ...}.
     */
    private static final String APPLY = """
            local totals = {}
            for i = 1, #KEYS do
              local value = tonumber(redis.call('GET', KEYS[i]) or '0')
              local delta = tonumber(ARGV[3 * i - 2])
              local limit = tonumber(ARGV[3 * i - 1])
              totals[i] = value
              if limit > 0 and delta > 0 and value + delta > limit then
                local answer = {i}
                for j = 1, #KEYS do
                  answer[j + 1] = tonumber(redis.call('GET', KEYS[j]) or '0')
                end
                return answer
              end
            end
            local answer = {0}
            for i = 1, #KEYS do
              local delta = tonumber(ARGV[3 * i - 2])
              if delta ~= 0 then
                totals[i] = redis.call('INCRBY', KEYS[i], delta)
                redis.call('PEXPIREAT', KEYS[i], ARGV[3 * i])
              end
              answer[i + 1] = totals[i]
            end
            return answer
            """;

    private final ReactiveRedisDataSource redis;
    private final Duration timeout;

    CallerRedisStore(ReactiveRedisDataSource redis, Duration timeout) {
        this.redis = redis;
        this.timeout = timeout;
    }

    @Override
    public Uni<CallerWindowTotals> apply(List<CallerWindowChange> changes) {
        List<String> arguments = new ArrayList<>(3 + 4 * changes.size());
        arguments.add(APPLY);
        arguments.add(Integer.toString(changes.size()));
        changes.forEach(change -> arguments.add(change.key()));
        for (CallerWindowChange change : changes) {
            arguments.add(Long.toString(change.delta()));
            arguments.add(Long.toString(change.limit()));
            arguments.add(Long.toString(change.expiresAt().toEpochMilli()));
        }
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            // EVAL rather than EVALSHA: the script is short and Redis caches it, so no NOSCRIPT after a failover.
            return redis.execute("EVAL", arguments.toArray(String[]::new))
                    .ifNoItem().after(timeout).failWith(() -> new CallerLimitsUnavailableException(
                            "Redis got no answer within " + timeout.toMillis() + " ms", null))
                    .onFailure(failure -> !(failure instanceof CallerLimitsUnavailableException))
                    .transform(failure -> new CallerLimitsUnavailableException("Redis failed: " + failure, failure))
                    .map(CallerRedisStore::totals)
                    .emitOn(work -> onContext(caller, work));
        });
    }

    private static CallerWindowTotals totals(Response reply) {
        List<Long> totals = new ArrayList<>(reply.size() - 1);
        for (int i = 1; i < reply.size(); i++) {
            totals.add(reply.get(i).toLong());
        }
        return new CallerWindowTotals(reply.get(0).toInteger() - 1, totals);
    }

    private static void onContext(Context context, Runnable work) {
        if (context == null || Vertx.currentContext() == context) {
            work.run();
        } else {
            context.runOnContext(ignored -> work.run());
        }
    }
}
