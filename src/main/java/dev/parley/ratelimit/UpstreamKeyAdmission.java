package dev.parley.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.AnthropicConfig;
import dev.parley.anthropic.UpstreamCapacity;
import dev.parley.anthropic.UpstreamKey;
import dev.parley.anthropic.UpstreamKeys;
import dev.parley.anthropic.UpstreamRateLimits;
import dev.parley.anthropic.UpstreamRateLimits.Limit;
import dev.parley.anthropic.UpstreamRejectedException;

/**
 * Rate-limit-aware admission of upstream calls: picks, for each call, the upstream key with the most input tokens left
 * for its model among those with room for it (a key never heard of has all its room; ties go to the first configured),
 * as {@link KeyRoom} models it from the keys' {@code anthropic-ratelimit-*} headers. When no key has room, the call
 * waits for the earliest reset if that comes before its deadline and fewer than
 * {@code parley.anthropic.capacity-queue-size} calls wait already; else it is refused at once with
 * {@code upstream_capacity_exhausted} and the time to that reset. The model lives in this replica's memory, or in Redis
 * when {@code parley.rate-limits.store=redis}.
 * <p>
 * Threads: a call's key is given on the Vert.x context that asked for it (a wait is a timer set from it, a Redis answer
 * hops back to it), because the call is opened and its events delivered there.
 */
@Startup // the gauges exist from start-up
@ApplicationScoped
public class UpstreamKeyAdmission implements UpstreamCapacity {

    private final UpstreamKeys keys;
    private final List<String> names;
    private final InMemoryUpstreamLimits local = new InMemoryUpstreamLimits();
    private final UpstreamLimitsStore store;
    private final Vertx vertx;
    private final int queueLimit;
    private final AtomicInteger waiting = new AtomicInteger();

    UpstreamKeyAdmission(UpstreamKeys keys, AnthropicConfig anthropic, RateLimitsConfig config,
            Instance<ReactiveRedisDataSource> redis, MeterRegistry registry, Vertx vertx) {
        this.keys = keys;
        this.names = keys.all().stream().map(UpstreamKey::name).toList();
        this.vertx = vertx;
        this.queueLimit = anthropic.capacityQueueSize();
        Counter failures = Counter.builder("parley.upstream.ratelimit.store.failures")
                .description("Redis calls of the upstream rate-limit model that failed or timed out (this replica's "
                        + "own model was used instead)")
                .register(registry);
        this.store = switch (config.store()) {
            case MEMORY -> local;
            case REDIS -> new RedisUpstreamLimits(redis.get(), local, config, failures);
        };
        Gauge.builder("parley.upstream.capacity.waiting", waiting, AtomicInteger::get)
                .description("Upstream calls waiting for a key's rate limits to reset").register(registry);
        for (String name : names) {
            remainingGauge(registry, name, "requests", UpstreamRateLimits::requests);
            remainingGauge(registry, name, "input_tokens", UpstreamRateLimits::inputTokens);
            remainingGauge(registry, name, "output_tokens", UpstreamRateLimits::outputTokens);
        }
    }

    @Override
    public Uni<UpstreamKey> admit(String model, long inputTokens, Duration within) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            Instant deadline = Instant.now().plus(within);
            AtomicBoolean queued = new AtomicBoolean();
            return onContext(caller, attempt(model, inputTokens, deadline, queued)).onTermination().invoke(() -> {
                if (queued.compareAndSet(true, false)) {
                    waiting.decrementAndGet();
                }
            });
        });
    }

    @Override
    public void observed(UpstreamKey key, String model, UpstreamRateLimits limits) {
        store.observe(key.name(), model, limits).subscribe().with(ignored -> {
        }, failure -> Log.debugf("upstream rate limits of key %s not stored: %s", key.name(), failure));
    }

    private Uni<UpstreamKey> attempt(String model, long input, Instant deadline, AtomicBoolean queued) {
        return store.read(model, names).flatMap(states -> {
            Instant now = Instant.now();
            Optional<UpstreamKey> chosen = chosen(states, input, now);
            if (chosen.isPresent()) {
                UpstreamKey key = chosen.get();
                return store.reserve(key.name(), model, input).replaceWith(key);
            }
            Instant room = earliestRoom(states, input, now);
            Duration wait = Duration.between(now, room);
            if (room.isAfter(deadline) || !queued.get() && !enqueued(queued)) {
                return Uni.createFrom().failure(
                        new UpstreamRejectedException(UpstreamRejectedException.Reason.CAPACITY_EXHAUSTED, wait));
            }
            return pause(wait).flatMap(ignored -> attempt(model, input, deadline, queued));
        });
    }

    /** The key with the most input left among those with room, the first configured on a tie; none if none has. */
    private Optional<UpstreamKey> chosen(Map<String, UpstreamRateLimits> states, long input, Instant now) {
        UpstreamKey best = null;
        long bestRoom = -1;
        for (UpstreamKey key : keys.all()) {
            UpstreamRateLimits state = states.get(key.name());
            long room;
            if (state == null) {
                room = Long.MAX_VALUE;
            } else if (KeyRoom.roomAt(state, input, now).isAfter(now)) {
                continue;
            } else {
                room = state.inputTokens().map(limit -> KeyRoom.remaining(limit, now)).orElse(Long.MAX_VALUE);
            }
            if (room > bestRoom) {
                best = key;
                bestRoom = room;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The earliest moment a key has room again (every key is known here: an unknown one has room). */
    private Instant earliestRoom(Map<String, UpstreamRateLimits> states, long input, Instant now) {
        return states.values().stream().map(state -> KeyRoom.roomAt(state, input, now)).min(Instant::compareTo)
                .orElse(now);
    }

    private boolean enqueued(AtomicBoolean queued) {
        if (waiting.incrementAndGet() > queueLimit) {
            waiting.decrementAndGet();
            return false;
        }
        queued.set(true);
        return true;
    }

    /** A timer, set from the caller's context when there is one (it fires there); cancelled if the call goes away. */
    private Uni<Void> pause(Duration wait) {
        return Uni.createFrom().emitter(emitter -> {
            long timer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> emitter.complete(null));
            emitter.onTermination(() -> vertx.cancelTimer(timer));
        });
    }

    /** The item and failure given on {@code caller}: at once when already on it. */
    private static <T> Uni<T> onContext(Context caller, Uni<T> admission) {
        if (caller == null) {
            return admission;
        }
        return admission.emitOn(work -> {
            if (Vertx.currentContext() == caller) {
                work.run();
            } else {
                caller.runOnContext(ignored -> work.run());
            }
        });
    }

    private void remainingGauge(MeterRegistry registry, String key, String kind,
            Function<UpstreamRateLimits, Optional<Limit>> limit) {
        Gauge.builder("parley.upstream.ratelimit.remaining",
                () -> local.leastRemaining(key, limit).stream().mapToDouble(value -> value).findFirst()
                        .orElse(Double.NaN))
                .description("What remains of an upstream key's rate limit, the least over its models, as its last "
                        + "answer reported (less what was admitted since); NaN until one did")
                .tag("key", key).tag("kind", kind).register(registry);
    }
}
