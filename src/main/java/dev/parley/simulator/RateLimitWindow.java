package dev.parley.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@code anthropic-ratelimit-*} headers (§3.3): limits of a generous tier and what remains of them in the current
 * minute. The simulator reports; it does not enforce (a 429 is injected with a fault directive instead).
 */
@ApplicationScoped
public class RateLimitWindow {

    static final long REQUESTS_PER_MINUTE = 4_000;
    static final long INPUT_TOKENS_PER_MINUTE = 2_000_000;
    static final long OUTPUT_TOKENS_PER_MINUTE = 400_000;

    private long minute;
    private long requests;
    private long inputTokens;
    private long outputTokens;

    synchronized Map<String, String> record(long input, long output) {
        Instant now = Instant.now();
        long thisMinute = now.getEpochSecond() / 60;
        if (thisMinute != minute) {
            minute = thisMinute;
            requests = 0;
            inputTokens = 0;
            outputTokens = 0;
        }
        requests++;
        inputTokens += input;
        outputTokens += output;
        String reset = now.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES).toString();
        long inputRemaining = roundToThousands(Math.max(0, INPUT_TOKENS_PER_MINUTE - inputTokens));
        long outputRemaining = roundToThousands(Math.max(0, OUTPUT_TOKENS_PER_MINUTE - outputTokens));
        return Map.ofEntries(
                Map.entry("anthropic-ratelimit-requests-limit", Long.toString(REQUESTS_PER_MINUTE)),
                Map.entry("anthropic-ratelimit-requests-remaining",
                        Long.toString(Math.max(0, REQUESTS_PER_MINUTE - requests))),
                Map.entry("anthropic-ratelimit-requests-reset", reset),
                Map.entry("anthropic-ratelimit-input-tokens-limit", Long.toString(INPUT_TOKENS_PER_MINUTE)),
                Map.entry("anthropic-ratelimit-input-tokens-remaining", Long.toString(inputRemaining)),
                Map.entry("anthropic-ratelimit-input-tokens-reset", reset),
                Map.entry("anthropic-ratelimit-output-tokens-limit", Long.toString(OUTPUT_TOKENS_PER_MINUTE)),
                Map.entry("anthropic-ratelimit-output-tokens-remaining", Long.toString(outputRemaining)),
                Map.entry("anthropic-ratelimit-output-tokens-reset", reset),
                Map.entry("anthropic-ratelimit-tokens-limit",
                        Long.toString(INPUT_TOKENS_PER_MINUTE + OUTPUT_TOKENS_PER_MINUTE)),
                Map.entry("anthropic-ratelimit-tokens-remaining", Long.toString(inputRemaining + outputRemaining)),
                Map.entry("anthropic-ratelimit-tokens-reset", reset));
    }

    private static long roundToThousands(long value) {
        return Math.round(value / 1000.0) * 1000;
    }
}
