package dev.parley.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

import dev.parley.ratelimit.RateLimitsConfig.CallerQuota;

/**
 * Per-caller limits from {@code parley.rate-limits.callers.*} (or {@code default.*}): requests per minute, counted at
 * admission, and tokens (input, cache reads and writes included, and output) per minute and per UTC day. A token
 * limit is held before each round, at an upper bound of what the round can use, and settled to the real usage after
 * it; so concurrent turns can pass a limit by at most what their rounds held at once and never more. The counts live
 * in the {@link CallerStore} ({@code parley.rate-limits.store}); a store that fails or does not answer refuses the
 * request ({@link CallerLimitsUnavailableException}) rather than let it through unchecked.
 * <p>
 * Checked at start-up: a limit that is zero or negative stops the service with one line naming the key.
 */
@Startup
@ApplicationScoped
public class CallerLimits {

    /** A window is kept a little past its end, so a settlement arriving late still finds it. */
    private static final Duration KEPT_PAST_END = Duration.ofMinutes(2);

    private final RateLimitsConfig config;
    private final CallerStore store;
    private final Map<CallerLimitKind, Counter> refusals = new EnumMap<>(CallerLimitKind.class);

    CallerLimits(RateLimitsConfig config, CallerStore store, MeterRegistry registry) {
        this.config = config;
        this.store = store;
        config.defaults().ifPresent(quota -> check("parley.rate-limits.default.", quota));
        config.callers().forEach((caller, quota) -> check("parley.rate-limits.callers." + caller + ".", quota));
        for (CallerLimitKind kind : CallerLimitKind.values()) {
            refusals.put(kind, Counter.builder("parley.rate_limits.caller.refusals")
                    .description("Requests and rounds refused because their caller reached a limit, by limit")
                    .tag("limit", kind.tag()).register(registry));
        }
    }

    /** Whether the caller has any limit. */
    public boolean appliesTo(String caller) {
        return !limitsOf(caller).isEmpty();
    }

    /**
     * Admits a request: counts it against the requests per minute and holds {@code tokenBound}, the most its first
     * round can use, against the token limits; all or nothing. Call it only for a caller it {@link #appliesTo}.
     */
    public Uni<CallerAnswer> admit(String caller, long tokenBound) {
        Map<CallerLimitKind, Long> limits = limitsOf(caller);
        Instant now = Instant.now();
        List<CallerLimitKind> kinds = new ArrayList<>();
        List<CallerWindowChange> changes = new ArrayList<>();
        List<CallerHold.Window> windows = new ArrayList<>();
        limits.forEach((kind, limit) -> {
            long start = kind.windowStart(now);
            long delta = kind.tokens() ? tokenBound : 1;
            kinds.add(kind);
            changes.add(change(caller, kind, start, delta, limit));
            if (kind.tokens()) {
                windows.add(new CallerHold.Window(kind, start, 0, tokenBound));
            }
        });
        CallerHold hold = new CallerHold(caller, List.copyOf(windows));
        return store.apply(changes).map(totals -> answer(hold, kinds, changes, totals, now, limits));
    }

    /**
     * Before a later round of a turn that holds {@code hold}: settles what the turn has {@code spent} so far (all its
     * rounds' tokens) and holds {@code nextBound} more for the round. A window that ended since moves the hold to the
     * current one.
     */
    public Uni<CallerAnswer> beforeNextRound(CallerHold hold, long spent, long nextBound) {
        if (hold.windows().isEmpty()) {
            // Only requests are limited: nothing to hold, and no call to the store.
            return Uni.createFrom().item(new CallerAnswer.Admitted(hold, new CallerStanding(List.of())));
        }
        Map<CallerLimitKind, Long> limits = limitsOf(hold.caller());
        Instant now = Instant.now();
        List<CallerLimitKind> kinds = new ArrayList<>();
        List<CallerWindowChange> changes = new ArrayList<>();
        List<CallerHold.Window> windows = new ArrayList<>();
        for (CallerHold.Window window : hold.windows()) {
            long limit = limits.getOrDefault(window.kind(), 0L);
            long start = window.kind().windowStart(now);
            if (start == window.start()) {
                long held = spent - window.spentBefore() + nextBound;
                kinds.add(window.kind());
                changes.add(change(hold.caller(), window.kind(), start, held - window.held(), limit));
                windows.add(new CallerHold.Window(window.kind(), start, window.spentBefore(), held));
            } else {
                // The old window keeps what was spent in it; the next round counts in the current one.
                kinds.add(window.kind());
                changes.add(change(hold.caller(), window.kind(), window.start(),
                        spent - window.spentBefore() - window.held(), 0));
                kinds.add(window.kind());
                changes.add(change(hold.caller(), window.kind(), start, nextBound, limit));
                windows.add(new CallerHold.Window(window.kind(), start, spent, nextBound));
            }
        }
        CallerHold grown = new CallerHold(hold.caller(), List.copyOf(windows));
        return store.apply(changes).map(totals -> answer(grown, kinds, changes, totals, now, limits));
    }

    /**
     * Settles a turn's hold to what it {@code spent} in all (0 for a turn that never reached the upstream). Never
     * fails: a settlement that fails leaves the windows counting more than was used, never less, until they end. A
     * turn's last event waits for it, so the caller's next request sees the turn's real usage.
     */
    public Uni<Void> settle(CallerHold hold, long spent) {
        List<CallerWindowChange> changes = new ArrayList<>();
        for (CallerHold.Window window : hold.windows()) {
            long delta = spent - window.spentBefore() - window.held();
            if (delta != 0) {
                changes.add(change(hold.caller(), window.kind(), window.start(), delta, 0));
            }
        }
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return store.apply(changes).replaceWithVoid().onFailure().recoverWithItem(failure -> {
            Log.warnf("rate limit of caller %s not settled (its windows count more until they end): %s",
                    hold.caller(), failure.getMessage());
            return null;
        });
    }

    private CallerAnswer answer(CallerHold hold, List<CallerLimitKind> kinds, List<CallerWindowChange> changes,
            CallerWindowTotals totals, Instant now, Map<CallerLimitKind, Long> limits) {
        List<CallerStanding.Limit> standing = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            CallerLimitKind kind = kinds.get(i);
            long start = kind.windowStart(now);
            if (!changes.get(i).key().equals(key(hold.caller(), kind, start))) {
                continue;
            }
            long quota = limits.get(kind);
            standing.add(new CallerStanding.Limit(kind, quota, Math.max(0, quota - totals.totals().get(i)),
                    seconds(Duration.between(now, kind.windowEnd(start)))));
        }
        CallerStanding where = new CallerStanding(List.copyOf(standing));
        if (totals.applied()) {
            return new CallerAnswer.Admitted(hold, where);
        }
        CallerLimitKind kind = kinds.get(totals.refusedAt());
        refusals.get(kind).increment();
        CallerWindowChange refused = changes.get(totals.refusedAt());
        Optional<Duration> retryAfter = refused.delta() > refused.limit()
                ? Optional.empty()
                : Optional.of(Duration.between(now, kind.windowEnd(kind.windowStart(now))));
        return new CallerAnswer.Refused(kind, retryAfter, where);
    }

    private CallerWindowChange change(String caller, CallerLimitKind kind, long start, long delta, long limit) {
        return new CallerWindowChange(key(caller, kind, start), delta, limit,
                kind.windowEnd(start).plus(KEPT_PAST_END));
    }

    /** The caller's name in braces: a Redis Cluster keeps all of one caller's keys in one slot, as a script needs. */
    private String key(String caller, CallerLimitKind kind, long start) {
        return config.redisKeyPrefix() + "caller:{" + caller + "}:" + kind.tag() + ":" + start;
    }

    private Map<CallerLimitKind, Long> limitsOf(String caller) {
        Optional<CallerQuota> quota = Optional.ofNullable(config.callers().get(caller)).or(config::defaults);
        Map<CallerLimitKind, Long> limits = new EnumMap<>(CallerLimitKind.class);
        quota.ifPresent(q -> {
            q.requestsPerMinute().ifPresent(n -> limits.put(CallerLimitKind.REQUESTS_PER_MINUTE, n));
            q.tokensPerMinute().ifPresent(n -> limits.put(CallerLimitKind.TOKENS_PER_MINUTE, n));
            q.tokensPerDay().ifPresent(n -> limits.put(CallerLimitKind.TOKENS_PER_DAY, n));
        });
        return limits;
    }

    private static void check(String prefix, CallerQuota quota) {
        positive(prefix + "requests-per-minute", quota.requestsPerMinute());
        positive(prefix + "tokens-per-minute", quota.tokensPerMinute());
        positive(prefix + "tokens-per-day", quota.tokensPerDay());
    }

    private static void positive(String key, OptionalLong value) {
        if (value.isPresent() && value.getAsLong() < 1) {
            throw new IllegalStateException(key + " is " + value.getAsLong()
                    + ", but a limit must be at least 1 (leave it unset for no limit)");
        }
    }

    /** Whole seconds, rounded up, at least 1. */
    static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
