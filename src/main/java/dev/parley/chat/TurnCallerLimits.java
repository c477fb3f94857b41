package dev.parley.chat;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.MessageRequest;
import dev.parley.chat.ChatRejectedException.Reason;
import dev.parley.ratelimit.CallerAnswer;
import dev.parley.ratelimit.CallerHold;
import dev.parley.ratelimit.CallerLimits;
import dev.parley.ratelimit.CallerLimitsUnavailableException;
import dev.parley.usage.TokenUsage;

/**
 * A chat turn against its caller's rate limits ({@link CallerLimits}). At admission the request counts against the
 * requests per minute, and its first round holds an upper bound of its tokens: the input as the upstream counted it
 * when the caller has a budget (which counts it), else the UTF-8 length of the request's JSON (a token is never less
 * than a byte), plus {@code max_tokens}. A refusal is an HTTP 429 {@code caller_rate_limited}. Before each later round
 * the hold is settled to what the turn has used and grows by that round's bound (its JSON length plus
 * {@code max_tokens}; each bound once for every model of the profile's fallback chain still ahead), or the turn ends with {@code caller_rate_limited}; at the end it settles to the turn's real
 * usage, and a turn that never reached the upstream gives it all back.
 */
@ApplicationScoped
class TurnCallerLimits {

    private final CallerLimits limits;
    private final ObjectMapper json;

    TurnCallerLimits(CallerLimits limits, ObjectMapper json) {
        this.limits = limits;
        this.json = json;
    }

    /** Checks a prepared turn against its caller's limits; the turn unchanged when the caller has none. */
    Uni<PreparedTurn> admit(PreparedTurn turn) {
        if (!limits.appliesTo(turn.caller())) {
            return Uni.createFrom().item(turn);
        }
        // Once for every model of the profile's chain: a round may be billed on each before one answers.
        long bound = (turn.countedInput().orElseGet(() -> bytes(turn.request())) + turn.request().maxTokens())
                * (1 + turn.profile().fallbackModels().size());
        Context requestContext = Vertx.currentContext();
        return limits.admit(turn.caller(), bound)
                .onFailure(CallerLimitsUnavailableException.class).transform(failure -> {
                    logUnavailable(turn.requestId(), failure);
                    return new ChatRejectedException(Reason.RATE_LIMITS_UNAVAILABLE,
                            "the caller's rate limits cannot be checked right now",
                            Optional.of(CallerLimitsUnavailableException.RETRY_AFTER));
                })
                .emitOn(work -> TurnDriver.onContext(requestContext, work))
                .map(answer -> switch (answer) {
                    case CallerAnswer.Admitted admitted -> turn.limitedBy(admitted);
                    case CallerAnswer.Refused refused -> throw new ChatRejectedException(Reason.CALLER_RATE_LIMITED,
                            refused.retryAfter().isPresent()
                                    ? "this request does not fit in the caller's " + refused.kind().tag()
                                            + " limit until its window starts afresh"
                                    : "this request's upper bound of " + bound + " tokens is larger than the caller's "
                                            + refused.kind().tag() + " limit; ask for fewer maxTokens",
                            refused.retryAfter(), Optional.of(refused.standing()));
                });
    }

    /**
     * Before a later round: the turn's grown hold (empty for a caller without limits), or a failure with
     * {@link CallerRateLimitedException}. The answer comes on the store's thread: the caller applies it on the turn's
     * context.
     */
    Uni<Optional<CallerHold>> beforeNextRound(TurnRun run) {
        if (run.callerHold().isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        MessageRequest request = run.request();
        return limits.beforeNextRound(run.callerHold().get(), tokens(run.tokenUsage()),
                (bytes(request) + request.maxTokens()) * run.modelsLeft().size())
                .onFailure(CallerLimitsUnavailableException.class).transform(failure -> {
                    logUnavailable(run.requestId(), failure);
                    return new CallerRateLimitedException("the caller's rate limits cannot be checked right now",
                            Optional.of(CallerLimitsUnavailableException.RETRY_AFTER));
                })
                .map(answer -> switch (answer) {
                    case CallerAnswer.Admitted admitted -> Optional.of(admitted.hold());
                    case CallerAnswer.Refused refused -> throw new CallerRateLimitedException(
                            "the next round does not fit in the caller's " + refused.kind().tag() + " limit",
                            refused.retryAfter());
                });
    }

    /** Settles a hold to what the turn used (all of it back for a turn that never reached the upstream). */
    Uni<Void> settle(CallerHold hold, TokenUsage used) {
        return limits.settle(hold, tokens(used));
    }

    /** What counts against a token limit: every input token (cached or not) and every output token. */
    static long tokens(TokenUsage usage) {
        return usage.totalInputTokens() + usage.outputTokens();
    }

    /** The request's UTF-8 JSON length: an upper bound of its input tokens, as a token is at least one byte. */
    private long bytes(MessageRequest request) {
        try {
            return json.writeValueAsBytes(request).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an upstream request could not be written as JSON", e);
        }
    }

    private static void logUnavailable(String requestId, Throwable failure) {
        RequestLogs.withRequestId(requestId,
                () -> Log.warnf("rate limits not checked, turn refused: %s", failure.getMessage()));
    }

}
