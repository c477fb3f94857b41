package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.parley.anthropic.UpstreamRateLimits.Limit;

class UpstreamRateLimitsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T18:00:00Z");

    @Test
    void readsEachLimitWithItsRemainingAndRfc3339Reset() {
        UpstreamRateLimits limits = UpstreamRateLimits.from(Map.of(
                "anthropic-ratelimit-requests-limit", "50",
                "anthropic-ratelimit-requests-remaining", "49",
                "anthropic-ratelimit-requests-reset", "2026-12-03T18:00:01Z",
                "anthropic-ratelimit-input-tokens-limit", "30000",
                "anthropic-ratelimit-input-tokens-remaining", "27000",
                "anthropic-ratelimit-input-tokens-reset", "2026-12-03T19:00:06+01:00",
                "anthropic-ratelimit-output-tokens-limit", "8000",
                "anthropic-ratelimit-output-tokens-remaining", "8000",
                "anthropic-ratelimit-output-tokens-reset", "2026-12-03T18:00:00.5Z")::get, NOW);

        assertThat(limits.requests()).contains(new Limit(50, 49, Instant.parse("2026-12-03T18:00:01Z")));
        assertThat(limits.inputTokens()).contains(new Limit(30_000, 27_000, Instant.parse("2026-12-03T18:00:06Z")));
        assertThat(limits.outputTokens()).contains(new Limit(8000, 8000, Instant.parse("2026-12-03T18:00:00.5Z")));
        assertThat(limits.refusedUntil()).isEmpty();
        assertThat(limits.isEmpty()).isFalse();
    }

    @Test
    void retryAfterInSecondsSaysWhenTheKeyMayBeUsedAgain() {
        UpstreamRateLimits limits = UpstreamRateLimits.from(Map.of("retry-after", "17")::get, NOW);

        assertThat(limits.refusedUntil()).contains(NOW.plusSeconds(17));
        assertThat(UpstreamRateLimits.refused(Duration.ofSeconds(3), NOW).refusedUntil()).contains(NOW.plusSeconds(3));
    }

    @Test
    void theCombinedTokensLimitStandsForInputWhenInputIsNotReported() {
        UpstreamRateLimits limits = UpstreamRateLimits.from(Map.of(
                "anthropic-ratelimit-tokens-limit", "100000",
                "anthropic-ratelimit-tokens-remaining", "1000",
                "anthropic-ratelimit-tokens-reset", "2026-12-03T18:00:30Z")::get, NOW);

        assertThat(limits.inputTokens()).contains(new Limit(100_000, 1000, Instant.parse("2026-12-03T18:00:30Z")));
        assertThat(limits.requests()).isEmpty();
    }

    @Test
    void aMissingOrMalformedHeaderLeavesItsLimitUnknown() {
        UpstreamRateLimits limits = UpstreamRateLimits.from(Map.of(
                "anthropic-ratelimit-requests-limit", "50",
                "anthropic-ratelimit-requests-remaining", "49",
                "anthropic-ratelimit-input-tokens-limit", "many",
                "anthropic-ratelimit-input-tokens-remaining", "1",
                "anthropic-ratelimit-input-tokens-reset", "2026-12-03T18:00:30Z",
                "anthropic-ratelimit-output-tokens-limit", "8000",
                "anthropic-ratelimit-output-tokens-remaining", "-1",
                "anthropic-ratelimit-output-tokens-reset", "yesterday",
                "retry-after", "soon")::get, NOW);

        assertThat(limits).isEqualTo(new UpstreamRateLimits(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty()));
        assertThat(limits.isEmpty()).isTrue();
    }
}
