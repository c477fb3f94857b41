package dev.parley.frontdoor;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

import dev.parley.anthropic.AnthropicException;
import dev.parley.resilience.FallbackRule;
import dev.parley.resilience.RetryDecision;
import dev.parley.resilience.RetryMeter;
import dev.parley.resilience.RetryPolicy;

/**
 * The front door's one retry layer: an upstream call tried again as the chat path tries a round, by
 * {@link RetryPolicy} (429, 529, other 5xx and transport failures; never another 4xx; backoff with jitter, a
 * {@code retry-after} honoured as given, all within the request's deadline), each retry counted in
 * {@code parley.upstream.retries}. A non-streamed answer reaches the client only whole, so every attempt is safe to
 * repeat. The waits are timers on the request's own context, so each attempt starts there.
 */
@ApplicationScoped
class UpstreamAttempts {

    private final RetryPolicy policy;
    private final RetryMeter meter;

    UpstreamAttempts(RetryPolicy policy, RetryMeter meter) {
        this.policy = policy;
        this.meter = meter;
    }

    /**
     * The call's result; a {@link GaveUpException} with the upstream's last failure once parley stops trying; any
     * other failure (parley did not make the call: a refusal, an open breaker, a full queue) as it is.
     */
    <T> Uni<T> run(Supplier<Uni<T>> call, Context context, Supplier<Duration> remaining) {
        return run(call, context, remaining, false);
    }

    /** As {@link #run(Supplier, Context, Supplier)}; an overload gives up at once when {@code atOnceOnOverload}. */
    <T> Uni<T> run(Supplier<Uni<T>> call, Context context, Supplier<Duration> remaining, boolean atOnceOnOverload) {
        return attempt(call, context, remaining, 0, atOnceOnOverload);
    }

    private <T> Uni<T> attempt(Supplier<Uni<T>> call, Context context, Supplier<Duration> remaining,
            int retriesDone, boolean atOnceOnOverload) {
        return Uni.createFrom().<T>deferred(call::get).onFailure(AnthropicException.class).recoverWithUni(failure -> {
            AnthropicException upstream = (AnthropicException) failure;
            RetryDecision decision = atOnceOnOverload && FallbackRule.overloaded(upstream)
                    ? new RetryDecision.GiveUp(RetryDecision.Reason.NOT_RETRYABLE, Optional.empty())
                    : policy.decide(upstream, retriesDone, remaining.get());
            if (decision instanceof RetryDecision.Retry retry) {
                meter.retried(UpstreamFailures.code(upstream));
                return wait(context, retry.delay()).flatMap(ignored -> attempt(call, context, remaining,
                        retriesDone + 1, atOnceOnOverload));
            }
            return Uni.createFrom().failure(new GaveUpException(upstream, retriesDone + 1));
        });
    }

    /** A wait on the context's event loop, cancelled with the request. */
    private static Uni<Void> wait(Context context, Duration delay) {
        if (context == null) {
            return Uni.createFrom().voidItem().onItem().delayIt().by(delay);
        }
        return Uni.createFrom().emitter(waited -> {
            long timer = context.owner().setTimer(Math.max(1, delay.toMillis()),
                    id -> context.runOnContext(ignored -> waited.complete(null)));
            waited.onTermination(() -> context.owner().cancelTimer(timer));
        });
    }

    /** Parley stopped trying: the last failure, and how many upstream calls were made. */
    static final class GaveUpException extends RuntimeException {

        private final int attempts;

        GaveUpException(AnthropicException last, int attempts) {
            super(last.getMessage(), last, false, false);
            this.attempts = attempts;
        }

        AnthropicException last() {
            return (AnthropicException) getCause();
        }

        int attempts() {
            return attempts;
        }
    }
}
