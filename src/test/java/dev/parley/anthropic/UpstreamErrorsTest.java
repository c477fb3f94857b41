package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

/** {@code retry-after-ms} / {@code retry-after} parsing and the SDKs' retry policy (§4). */
class UpstreamErrorsTest {

    @Test
    void retryAfterMsWinsOverRetryAfter() {
        assertThat(UpstreamErrors.retryAfter("250.5", "9")).isEqualTo(Duration.ofNanos(250_500_000));
    }

    @Test
    void retryAfterIsSecondsPossiblyFractional() {
        assertThat(UpstreamErrors.retryAfter(null, "2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(UpstreamErrors.retryAfter(null, "0.5")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void retryAfterMayBeAnHttpDate() {
        String inTenSeconds = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10)
                .format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(UpstreamErrors.retryAfter(null, inTenSeconds)).isBetween(Duration.ofSeconds(8),
                Duration.ofSeconds(10));
    }

    @Test
    void garbageRetryAfterIsIgnored() {
        assertThat(UpstreamErrors.retryAfter("soon", "later")).isNull();
    }

    @Test
    void retryPolicyFollowsTheOfficialSdks() {
        assertThat(http(429, null).retryable()).isTrue();
        assertThat(http(529, null).retryable()).isTrue();
        assertThat(http(500, null).retryable()).isTrue();
        assertThat(http(408, null).retryable()).isTrue();
        assertThat(http(409, null).retryable()).isTrue();
        assertThat(http(400, null).retryable()).isFalse();
        assertThat(http(401, null).retryable()).isFalse();
        assertThat(http(404, null).retryable()).isFalse();
        assertThat(http(400, true).retryable()).isTrue();
        assertThat(http(529, false).retryable()).isFalse();
    }

    private static AnthropicException http(int status, Boolean shouldRetry) {
        return new AnthropicException(AnthropicException.Kind.HTTP_ERROR, status, null, null, null, null,
                shouldRetry, null);
    }
}
