package dev.parley.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Configuration of the Anthropic API simulator ({@code parley.simulator.*}).
 */
@ConfigMapping(prefix = "parley.simulator")
public interface SimulatorConfig {

    /**
     * Serve the simulator under {@code /simulator}. A runtime switch; unset, the simulator is served exactly when
     * parley's own upstream is it ({@code parley.anthropic.base-url=embedded}), so that one setting runs the packaged
     * service on it. Set {@code true} to serve it for other clients too; {@code false} with an embedded upstream is
     * refused at start-up.
     */
    Optional<Boolean> enabled();

    /** The API key the simulator accepts (as {@code x-api-key} or {@code Authorization: Bearer}). */
    @WithDefault("parley-simulator-key")
    String apiKey();

    /**
     * More API keys the simulator accepts beside {@link #apiKey()}, each with rate limits of its own, as the keys of
     * several workspaces have. Any other key is refused with 401 {@code authentication_error}.
     */
    Optional<List<String>> extraApiKeys();

    /** Every key's rate limits, per window (generous by default, so that nothing is refused). */
    RateLimits rateLimits();

    /** Largest accepted request body; the real Messages API allows 32 MB. */
    @WithDefault("33554432")
    long maxRequestBytes();

    /** A {@code ping} event is sent when a stream has been silent this long (stalls excepted). */
    @WithDefault("15s")
    Duration pingInterval();

    /** Delay between two streamed deltas unless a directive says otherwise. */
    @WithDefault("0ms")
    Duration tokenDelay();

    /** Time to first token unless a directive says otherwise. */
    @WithDefault("0ms")
    Duration firstTokenDelay();

    /** Lifetime of a 5-minute cache entry; tests may shorten it. */
    @WithDefault("5m")
    Duration cacheTtl5m();

    /** Lifetime of a 1-hour cache entry; tests may shorten it. */
    @WithDefault("1h")
    Duration cacheTtl1h();

    /** How many requests are kept per directive id for {@code GET /simulator/admin/requests}. */
    @WithDefault("50")
    int recordedRequestsPerId();

    /** Model ids served in addition to the catalog (e.g. one missing from parley's price table, for tests). */
    Optional<List<String>> extraModels();

    /** Organization id reported in the {@code anthropic-organization-id} header. */
    @WithDefault("5e1d0b43-4a36-4f0e-9a61-0c0a5e7b1d2f")
    String organizationId();

    /** One key's limits per window, reported in the {@code anthropic-ratelimit-*} headers and enforced. */
    interface RateLimits {

        /** Requests per window. */
        @WithDefault("4000")
        long requests();

        /** Input tokens per window (uncached input and cache writes; cache reads do not count). */
        @WithDefault("2000000")
        long inputTokens();

        /** Output tokens per window. */
        @WithDefault("400000")
        long outputTokens();

        /** The window: a minute, as the API's per-minute limits. */
        @WithDefault("1m")
        Duration window();
    }
}
