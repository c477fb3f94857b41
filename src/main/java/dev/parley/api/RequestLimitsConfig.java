package dev.parley.api;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much of a request body parley's own API ({@code /v1/...}) reads and holds ({@code parley.requests.*}); the
 * simulator under {@code /simulator} keeps its own, larger limit ({@code parley.simulator.max-request-bytes}).
 */
@ConfigMapping(prefix = "parley.requests")
public interface RequestLimitsConfig {

    /**
     * Largest body of a request to {@code /v1/...}. Unset: the largest body the {@code parley.limits.*} character
     * limits can let through, see {@link RequestBodyGuard#largestLegalBody}.
     */
    Optional<MemorySize> maxBodySize();

    /**
     * Most bytes of request bodies held at once, across all requests: a body counts from the moment it is admitted
     * until its response ends. Unset: an eighth of the maximum heap, and at least {@link #maxBodySize()}.
     */
    Optional<MemorySize> bodyBudget();

    /** {@code Retry-After} of the 503 {@code server_busy} answered while the budget is spent. */
    @WithDefault("1s")
    Duration busyRetryAfter();

    /** How long a client may take to send an admitted body; then it is answered 408 {@code body_timeout}. */
    @WithDefault("60s")
    Duration bodyTimeout();

    /**
     * Longest request URI (path and query) answered; a longer one is a 414 {@code uri_too_long} problem. Below the
     * HTTP decoder's own limit ({@code quarkus.http.limits.max-initial-line-length}), whose refusals have no body.
     */
    @WithDefault("4096")
    int maxUriLength();

    /**
     * Most bytes of request headers (names, values and their separators) answered; more is a 431
     * {@code headers_too_large} problem. Below the HTTP decoder's own limit ({@code quarkus.http.limits.max-header-size}).
     */
    @WithDefault("20K")
    MemorySize maxHeaderSize();
}
