package dev.parley.anthropic;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The upstream Anthropic API ({@code parley.anthropic.*}). Key and base URL default to the environment variables the
 * official SDKs read, {@code ANTHROPIC_API_KEY} and {@code ANTHROPIC_BASE_URL}.
 */
@ConfigMapping(prefix = "parley.anthropic")
public interface AnthropicConfig {

    /** The base URL meaning "this process's own simulator", used by the dev and test profiles. */
    String EMBEDDED = "embedded";

    /** API key sent as {@code x-api-key}. No default: production without a key fails at start-up. */
    Optional<String> apiKey();

    /** {@code https://api.anthropic.com}, any compatible upstream, or {@code embedded}. */
    @WithDefault("https://api.anthropic.com")
    String baseUrl();

    /** The {@code anthropic-version} header. */
    @WithDefault("2023-06-01")
    String version();

    /** Comma-separated {@code anthropic-beta} header, if any. */
    Optional<String> beta();

    /** Time allowed to open a connection to the upstream. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Longest silence tolerated on an open upstream connection (the upstream pings during long silences). */
    @WithDefault("60s")
    Duration readTimeout();
}
