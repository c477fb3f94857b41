package dev.parley.frontdoor;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerResponse;

import dev.parley.ratelimit.CallerAnswer;
import dev.parley.ratelimit.CallerLimits;
import dev.parley.ratelimit.CallerLimitsUnavailableException;
import dev.parley.ratelimit.CallerStanding;
import dev.parley.usage.TokenUsage;

/**
 * A front-door message against its caller's rate limits ({@link CallerLimits}), as a chat turn: counted against the
 * requests per minute and holding an upper bound of its tokens before it is sent, settled to its usage when it is
 * metered. The bound is the body's length in bytes (a token is never less than one byte) plus {@code max_tokens}, once
 * for each model that may serve it (a server-side fallback bills each hop, and so may the caller's own fallback chain). A refusal is 429 {@code rate_limit_error}
 * under the retry rule ({@link DoorRefusal#after}); a store that does not answer refuses with 503 {@code api_error}.
 */
@ApplicationScoped
class FrontDoorRateLimits {

    private final CallerLimits limits;

    FrontDoorRateLimits(CallerLimits limits) {
        this.limits = limits;
    }

    /** Checks and holds; the caller's standing for the headers, empty for a caller without limits. */
    Uni<Optional<CallerStanding>> admit(MessageExchange exchange, ClientRequest request, byte[] body,
            List<String> fallbackModels) {
        if (!limits.appliesTo(exchange.caller())) {
            return Uni.createFrom().item(Optional.empty());
        }
        long hops = 1 + request.fallbacks().size() + fallbackModels.size();
        long bound = hops * (body.length + request.maxTokens().orElse(0)
                + request.fallbacks().stream().mapToLong(hop -> hop.maxTokens().orElse(0)).max().orElse(0));
        return limits.admit(exchange.caller(), bound)
                .onFailure(CallerLimitsUnavailableException.class).transform(failure -> {
                    Log.warnf("front door: rate limits not checked, message refused: %s", failure.getMessage());
                    return new DoorRefusedException(DoorRefusal.after(503, "api_error",
                            "parley cannot check this caller's rate limits right now; send the request again.",
                            CallerLimitsUnavailableException.RETRY_AFTER, false));
                })
                .map(answer -> switch (answer) {
                    case CallerAnswer.Admitted admitted -> {
                        exchange.limitedBy(admitted.hold());
                        yield Optional.of(admitted.standing());
                    }
                    case CallerAnswer.Refused refused -> throw new DoorRefusedException(refused.retryAfter()
                            .map(wait -> DoorRefusal.after(429, "rate_limit_error", "This request does not fit in "
                                    + "the caller's " + refused.kind().tag() + " rate limit until its window starts "
                                    + "afresh.", wait, false))
                            .orElse(DoorRefusal.terminal(429, "rate_limit_error", "This request's upper bound of "
                                    + bound + " tokens is larger than the caller's " + refused.kind().tag()
                                    + " rate limit; ask for fewer max_tokens.")),
                            Optional.of(refused.standing()));
                });
    }

    /** Gives the hold of a message that never reached the upstream back. */
    void release(MessageExchange exchange) {
        exchange.callerHold().ifPresent(hold -> limits.settle(hold, 0).subscribe().with(ignored -> {
        }));
    }

    /** Settles the hold to what the message used; never fails. */
    CompletionStage<Void> settle(MessageExchange exchange, TokenUsage used) {
        return exchange.callerHold()
                .map(hold -> limits.settle(hold, used.totalInputTokens() + used.outputTokens())
                        .subscribeAsCompletionStage())
                .orElse(CompletableFuture.completedFuture(null));
    }

    /** The {@code RateLimit-Policy} and {@code RateLimit} headers, on a response not yet begun. */
    static void headers(HttpServerResponse response, Optional<CallerStanding> standing) {
        if (standing.isPresent() && !response.headWritten()) {
            response.putHeader(CallerStanding.POLICY_HEADER, standing.get().policy());
            response.putHeader(CallerStanding.STATE_HEADER, standing.get().state());
        }
    }
}
