package dev.parley.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.parley.anthropic.UpstreamRateLimits;
import dev.parley.anthropic.UpstreamRateLimits.Limit;

/**
 * The model of what remains of one upstream key's limits for one model, folded from what its answers said: pure
 * functions, the same for every store.
 * <p>
 * What an answer reported stands until its reset, when the limit counts as whole again: the API's bucket refills
 * continuously, so this errs on the side of waiting (a limit is never thought to hold more than it does). Between two
 * answers, each admitted call takes one request and its estimated input off what remains; the next answer, which
 * counts that call, replaces the estimate with the truth. Output cannot be known before the reply: a call is admitted
 * while any output remains.
 */
final class KeyRoom {

    /** The API's limits are per minute: a bucket emptied by {@code n} of its {@code limit} refills in n/limit min. */
    private static final Duration REFILL = Duration.ofMinutes(1);

    private KeyRoom() {
    }

    /**
     * When {@code state} has room for one request of {@code input} tokens: {@code now} if it has, else the latest
     * reset of the limits it does not fit in (or the end of a 429's {@code retry-after}). A request larger than a whole
     * limit fits once the limit is whole: the upstream decides on it then.
     */
    static Instant roomAt(UpstreamRateLimits state, long input, Instant now) {
        Instant at = now;
        at = later(at, binding(state.requests(), 1, now));
        at = later(at, binding(state.inputTokens(), input, now));
        at = later(at, binding(state.outputTokens(), 1, now));
        if (state.refusedUntil().isPresent() && state.refusedUntil().get().isAfter(now)) {
            at = later(at, state.refusedUntil().get());
        }
        return at;
    }

    /** What remains of {@code limit} at {@code now}: all of it once past its reset. */
    static long remaining(Limit limit, Instant now) {
        return now.isBefore(limit.reset()) ? limit.remaining() : limit.limit();
    }

    /** {@code state} with one request of {@code input} tokens taken off. */
    static UpstreamRateLimits reserved(UpstreamRateLimits state, long input, Instant now) {
        return new UpstreamRateLimits(state.requests().map(limit -> taken(limit, 1, now)),
                state.inputTokens().map(limit -> taken(limit, input, now)), state.outputTokens(),
                state.refusedUntil());
    }

    /**
     * What an answer said, over what was known: each limit it reported replaces the known one; one it did not report
     * stays; a 429's wait stays until it has passed.
     */
    static UpstreamRateLimits merged(UpstreamRateLimits known, UpstreamRateLimits observed, Instant now) {
        Optional<Instant> refused = observed.refusedUntil()
                .or(() -> known.refusedUntil().filter(until -> until.isAfter(now)));
        return new UpstreamRateLimits(observed.requests().or(known::requests),
                observed.inputTokens().or(known::inputTokens), observed.outputTokens().or(known::outputTokens),
                refused);
    }

    /** When the latest of the state's limits and waits is over: how long the state is worth keeping. */
    static Instant expiry(UpstreamRateLimits state, Instant now) {
        Instant at = now;
        for (Optional<Limit> limit : java.util.List.of(state.requests(), state.inputTokens(), state.outputTokens())) {
            if (limit.isPresent()) {
                at = later(at, limit.get().reset());
            }
        }
        return later(at, state.refusedUntil().orElse(now));
    }

    private static Instant binding(Optional<Limit> limit, long cost, Instant now) {
        if (limit.isEmpty() || !now.isBefore(limit.get().reset())) {
            return now;
        }
        Limit known = limit.get();
        boolean fits = known.remaining() >= cost || known.remaining() >= known.limit();
        return fits ? now : known.reset();
    }

    private static Limit taken(Limit limit, long cost, Instant now) {
        if (now.isBefore(limit.reset())) {
            return new Limit(limit.limit(), Math.max(0, limit.remaining() - cost), limit.reset());
        }
        // Past its reset the limit was whole: now it lacks what was taken, refilled at the limit per minute.
        long taken = Math.min(cost, limit.limit());
        Duration refill = limit.limit() == 0
                ? REFILL
                : Duration.ofMillis(Math.max(1, REFILL.toMillis() * taken / limit.limit()));
        return new Limit(limit.limit(), limit.limit() - taken, now.plus(refill));
    }

    private static Instant later(Instant one, Instant other) {
        return other.isAfter(one) ? other : one;
    }
}
