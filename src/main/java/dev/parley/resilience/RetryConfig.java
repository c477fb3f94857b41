package dev.parley.resilience;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Retries of an upstream call ({@code parley.retry.*}); the defaults are the official SDKs' (§4 of the protocol
 * reference).
 */
@ConfigMapping(prefix = "parley.retry")
public interface RetryConfig {

    /** Retries after the first attempt of a round (so at most this + 1 upstream calls per round). */
    @WithDefault("2")
    int maxRetries();

    /** Wait before the first retry, doubled for each further one. */
    @WithDefault("500ms")
    Duration initialBackoff();

    /** Upper bound of the computed backoff (a server's retry-after is honoured as given). */
    @WithDefault("8s")
    Duration maxBackoff();

    /** Random reduction of each backoff, up to this fraction (0.25: each wait is 75–100 % of its nominal value). */
    @WithDefault("0.25")
    double jitter();
}
