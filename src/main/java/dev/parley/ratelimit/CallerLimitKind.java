package dev.parley.ratelimit;

import java.time.Duration;
import java.time.Instant;

/**
 * The kinds of per-caller limit, a closed set: each names its policy in the {@code RateLimit} headers and tags the
 * refusals metric. Each counts in fixed windows aligned to UTC (the minute, the day), so every replica agrees on
 * where a window starts without talking to the others.
 */
public enum CallerLimitKind {
    REQUESTS_PER_MINUTE("rpm", Duration.ofMinutes(1), false),
    TOKENS_PER_MINUTE("tpm", Duration.ofMinutes(1), true),
    TOKENS_PER_DAY("tpd", Duration.ofDays(1), true);

    private final String tag;
    private final Duration window;
    private final boolean tokens;

    CallerLimitKind(String tag, Duration window, boolean tokens) {
        this.tag = tag;
        this.window = window;
        this.tokens = tokens;
    }

    /** The policy's name in the headers, the metric's tag and part of the store's keys. */
    public String tag() {
        return tag;
    }

    public Duration window() {
        return window;
    }

    /** Whether it counts tokens (else requests). */
    boolean tokens() {
        return tokens;
    }

    /** The start of the window {@code now} is in, in epoch seconds. */
    long windowStart(Instant now) {
        long seconds = window.toSeconds();
        return Math.floorDiv(now.getEpochSecond(), seconds) * seconds;
    }

    /** When the window starting at {@code start} (epoch seconds) ends. */
    Instant windowEnd(long start) {
        return Instant.ofEpochSecond(start + window.toSeconds());
    }
}
