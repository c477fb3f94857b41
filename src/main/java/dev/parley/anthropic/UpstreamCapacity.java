package dev.parley.anthropic;

import java.time.Duration;

import io.smallrye.mutiny.Uni;

/**
 * What parley knows of its upstream keys' rate limits, asked before each call and told after each answer. The wire
 * package reads the headers; the model of what remains lives behind this interface (in {@code dev.parley.ratelimit}).
 */
public interface UpstreamCapacity {

    /**
     * The key to call {@code model} with for a request of about {@code inputTokens} input tokens: one with room for it
     * and for one request, reserved for it. When no key has room, waits for the earliest reset if that comes within
     * {@code within} and the wait queue has a place; else fails at once with an {@link UpstreamRejectedException} of
     * reason {@link UpstreamRejectedException.Reason#CAPACITY_EXHAUSTED}, its {@code retryAfter} the time to that
     * reset. Cancelling the {@code Uni} leaves the queue.
     */
    Uni<UpstreamKey> admit(String model, long inputTokens, Duration within);

    /** What an answer (or a 429) of a call made with {@code key} for {@code model} said of the key's limits. */
    void observed(UpstreamKey key, String model, UpstreamRateLimits limits);

    /**
     * The estimate of a request's input tokens when no count is at hand: its UTF-8 length divided by four (about a
     * token per four characters of English; JSON punctuation and tool definitions make it err on the high side).
     */
    static long estimatedInputTokens(int requestBytes) {
        return Math.max(1, requestBytes / 4);
    }
}
