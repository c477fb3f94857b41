package dev.parley.anthropic;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one answer of the upstream said of its key's rate limits: the {@code anthropic-ratelimit-requests-*},
 * {@code -input-tokens-*} and {@code -output-tokens-*} headers (a limit, what remains of it, and the RFC 3339 time it
 * is full again), and, on a 429, how long the upstream asked to wait ({@code retry-after}, in seconds). When an answer
 * carries only the combined {@code anthropic-ratelimit-tokens-*} (the most restrictive token limit), it stands for the
 * input tokens. A header that is missing or malformed leaves its limit unknown: never a guess.
 *
 * @param requests the requests limit, if reported
 * @param inputTokens the input tokens limit (uncached input and cache writes), if reported
 * @param outputTokens the output tokens limit, if reported
 * @param refusedUntil when a 429 said the key may be used again
 */
public record UpstreamRateLimits(Optional<Limit> requests, Optional<Limit> inputTokens, Optional<Limit> outputTokens,
        Optional<Instant> refusedUntil) {

    private static final String PREFIX = "anthropic-ratelimit-";

    /**
     * One limit as reported.
     *
     * @param limit the most the window allows
     * @param remaining what remains (token counts rounded by the API to the nearest thousand)
     * @param reset when the limit is whole again
     */
    public record Limit(long limit, long remaining, Instant reset) {
    }

    /** The limits of an answer whose headers {@code header} gives by lower-case name (null when absent). */
    public static UpstreamRateLimits from(Function<String, String> header, Instant now) {
        Optional<Limit> input = limit(header, "input-tokens");
        return new UpstreamRateLimits(limit(header, "requests"), input.or(() -> limit(header, "tokens")),
                limit(header, "output-tokens"), retryAfter(header.apply("retry-after")).map(now::plus));
    }

    /** A 429 that said nothing but its {@code retry-after}. */
    public static UpstreamRateLimits refused(Duration retryAfter, Instant now) {
        return new UpstreamRateLimits(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(now.plus(retryAfter)));
    }

    /** Whether the answer said nothing of the limits. */
    public boolean isEmpty() {
        return requests.isEmpty() && inputTokens.isEmpty() && outputTokens.isEmpty() && refusedUntil.isEmpty();
    }

    private static Optional<Limit> limit(Function<String, String> header, String kind) {
        Optional<Long> limit = number(header.apply(PREFIX + kind + "-limit"));
        Optional<Long> remaining = number(header.apply(PREFIX + kind + "-remaining"));
        Optional<Instant> reset = instant(header.apply(PREFIX + kind + "-reset"));
        if (limit.isEmpty() || remaining.isEmpty() || reset.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Limit(limit.get(), remaining.get(), reset.get()));
    }

    private static Optional<Long> number(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            long parsed = Long.parseLong(value.trim());
            return parsed < 0 ? Optional.empty() : Optional.of(parsed);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> instant(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value.trim()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> retryAfter(String value) {
        return number(value).map(Duration::ofSeconds);
    }
}
