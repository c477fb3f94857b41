package dev.parley.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.anthropic.AnthropicException;

/**
 * Decides whether a failed upstream attempt is tried again, and after how long: the SDKs' classification
 * ({@link AnthropicException#retryable()}), exponential backoff with jitter, a server's {@code retry-after} honoured as
 * given, but only while the wait fits the request's remaining deadline. Whether anything already reached the client
 * is the caller's to check: a retry must never repeat what a client has seen.
 */
@ApplicationScoped
public class RetryPolicy {

    private final RetryConfig config;

    RetryPolicy(RetryConfig config) {
        this.config = config;
    }

    /**
     * @param retriesDone retries already made in this round (0 after the first attempt failed)
     * @param remaining time left before the request's deadline
     */
    public RetryDecision decide(Throwable failure, int retriesDone, Duration remaining) {
        if (!(failure instanceof AnthropicException upstream) || !upstream.retryable()) {
            return new RetryDecision.GiveUp(RetryDecision.Reason.NOT_RETRYABLE, Optional.empty());
        }
        if (retriesDone >= config.maxRetries()) {
            return new RetryDecision.GiveUp(RetryDecision.Reason.ATTEMPTS_EXHAUSTED, upstream.retryAfter());
        }
        Duration delay = upstream.retryAfter().orElseGet(() -> backoff(retriesDone));
        if (delay.compareTo(remaining) >= 0) {
            return new RetryDecision.GiveUp(RetryDecision.Reason.BEYOND_DEADLINE, Optional.of(delay));
        }
        return new RetryDecision.Retry(delay);
    }

    /** {@code min(initial × 2^n, max) × (1 − jitter × random)}, as the official SDKs compute it. */
    Duration backoff(int retriesDone) {
        long nominal = Math.min(config.initialBackoff().toMillis() << Math.min(retriesDone, 20),
                config.maxBackoff().toMillis());
        double factor = 1 - config.jitter() * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.round(nominal * factor));
    }
}
