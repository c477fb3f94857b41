package dev.parley.resilience;

import dev.parley.anthropic.AnthropicException;

/**
 * Which failures hand a round to the next model of a fallback chain: the model's or the upstream's trouble (overload,
 * a 5xx, a connection that failed, stalled or broke), which another model may well not share. Not a rate limit (the
 * key's, not the model's trouble, and retried), not a request the API refused (a 4xx, wrong for any model), not a
 * refusal of the content (the API's own server-side fallback handles those), and nothing parley decided itself (an
 * open breaker, a full queue, a budget): those end the round as they would without a chain.
 */
public final class FallbackRule {

    private FallbackRule() {
    }

    /** Whether a round that failed so, with nothing of it sent to the client, may go to the next model. */
    public static boolean handsOn(Throwable failure) {
        if (!(failure instanceof AnthropicException upstream)) {
            return false;
        }
        return switch (upstream.kind()) {
            case CONNECTION_FAILED, TIMEOUT, INTERRUPTED -> true;
            case PROXY_REFUSED, PROXY_UNAVAILABLE, TLS_FAILED -> false;
            case HTTP_ERROR, STREAM_ERROR -> upstream.status() >= 500 || overloaded(upstream);
        };
    }

    /** An overloaded model: {@code 529}, or an {@code overloaded_error} (in an error answer or inside a stream). */
    public static boolean overloaded(Throwable failure) {
        return failure instanceof AnthropicException upstream && (upstream.status() == 529
                || upstream.errorType().filter("overloaded_error"::equals).isPresent());
    }
}
