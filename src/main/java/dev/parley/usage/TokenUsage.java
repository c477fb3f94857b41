package dev.parley.usage;

/**
 * Token counts of one model call or a sum of calls, split the way they are billed. All counts are {@code long} and
 * never negative.
 *
 * @param inputTokens uncached prompt tokens
 * @param outputTokens generated tokens, thinking included
 * @param cacheReadInputTokens prompt tokens read from the prompt cache
 * @param cacheWrite5mInputTokens prompt tokens written to the cache with the 5-minute lifetime
 * @param cacheWrite1hInputTokens prompt tokens written to the cache with the 1-hour lifetime
 * @param thinkingTokens the part of {@code outputTokens} spent thinking, where the upstream reports it (billed as
 *        output; never added to it)
 */
public record TokenUsage(long inputTokens, long outputTokens, long cacheReadInputTokens,
        long cacheWrite5mInputTokens, long cacheWrite1hInputTokens, long thinkingTokens) {

    /** No tokens at all: the neutral element of {@link #plus(TokenUsage)}. */
    public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0, 0, 0);

    public TokenUsage {
        requireNonNegative("inputTokens", inputTokens);
        requireNonNegative("outputTokens", outputTokens);
        requireNonNegative("cacheReadInputTokens", cacheReadInputTokens);
        requireNonNegative("cacheWrite5mInputTokens", cacheWrite5mInputTokens);
        requireNonNegative("cacheWrite1hInputTokens", cacheWrite1hInputTokens);
        requireNonNegative("thinkingTokens", thinkingTokens);
    }

    /** A usage without a thinking count (older models, or an upstream that does not report it). */
    public TokenUsage(long inputTokens, long outputTokens, long cacheReadInputTokens, long cacheWrite5mInputTokens,
            long cacheWrite1hInputTokens) {
        this(inputTokens, outputTokens, cacheReadInputTokens, cacheWrite5mInputTokens, cacheWrite1hInputTokens, 0);
    }

    /** The sum of this usage and another, count by count. */
    public TokenUsage plus(TokenUsage other) {
        return new TokenUsage(
                Math.addExact(inputTokens, other.inputTokens),
                Math.addExact(outputTokens, other.outputTokens),
                Math.addExact(cacheReadInputTokens, other.cacheReadInputTokens),
                Math.addExact(cacheWrite5mInputTokens, other.cacheWrite5mInputTokens),
                Math.addExact(cacheWrite1hInputTokens, other.cacheWrite1hInputTokens),
                Math.addExact(thinkingTokens, other.thinkingTokens));
    }

    /** Prompt tokens written to the cache, whatever their lifetime (the API's {@code cache_creation_input_tokens}). */
    public long cacheCreationInputTokens() {
        return Math.addExact(cacheWrite5mInputTokens, cacheWrite1hInputTokens);
    }

    /** The whole prompt: uncached input, cache reads and cache writes. Long-context price bands are chosen on it. */
    public long totalInputTokens() {
        return Math.addExact(Math.addExact(inputTokens, cacheReadInputTokens), cacheCreationInputTokens());
    }

    private static void requireNonNegative(String name, long count) {
        if (count < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + count);
        }
    }
}
