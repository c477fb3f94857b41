package dev.parley.frontdoor;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.quarkus.logging.Log;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.UpstreamReply;
import dev.parley.anthropic.Usage;
import dev.parley.usage.Cost;
import dev.parley.usage.Pricing;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.TurnOutcome;
import dev.parley.usage.UpstreamRound;
import dev.parley.usage.UsageMeter;
import dev.parley.usage.UsageRecord;

/**
 * Meters every front-door message that reached the upstream, answered or not, streamed or not, like a chat turn: one
 * ledger row and the usage metrics, through {@link UsageMeter}. Usage is the answer's own {@code usage} (cache and
 * thinking tokens included; a stream's as its events last counted it, final only when it completed); cost is priced
 * at the model that served (each hop of a server-side fallback at its own model, from {@code usage.iterations}); the
 * upstream's request id and message id identify the round. A failed message has no answer to read: its row says what
 * parley knows (no tokens, and so not final).
 */
@ApplicationScoped
class FrontDoorMeter {

    /** The ledger's {@code assistant} of front-door messages: they have no profile. */
    static final String ASSISTANT = "front-door";
    /** The metric tag of a model name that is neither priced nor in its caller's policy: not a closed set. */
    static final String OTHER_MODEL = "other";

    private final UsageMeter meter;
    private final Pricing pricing;
    private final CallerPolicies policies;
    private final ObjectReader replies;
    private final FrontDoorRateLimits rateLimits;

    FrontDoorMeter(UsageMeter meter, Pricing pricing, CallerPolicies policies, ObjectMapper mapper,
            FrontDoorRateLimits rateLimits) {
        this.rateLimits = rateLimits;
        this.meter = meter;
        this.pricing = pricing;
        this.policies = policies;
        this.replies = mapper.readerFor(ReplyView.class);
    }

    /** Records an answered message; the stage completes once its row is durable (on the journal's thread). */
    CompletionStage<Void> answered(MessageExchange exchange, UpstreamReply reply) {
        ReplyView view;
        try {
            view = replies.readValue(reply.body());
        } catch (IOException e) {
            // Passed on as it came; what cannot be read cannot be priced.
            Log.warnf("front door: the upstream's answer could not be read for metering: %s", e.getMessage());
            view = new ReplyView(null, null, null, null, Usage.EMPTY);
        }
        return reported(exchange, view, reply.requestId(), TurnOutcome.OK, Optional.empty());
    }

    /**
     * Records a streamed message that ended ({@code outcome}): completed, failed, cut off or left by its client,
     * with what its events said of it ({@code view}; its usage as last counted, final only when it completed) and
     * the time to its first content event.
     */
    CompletionStage<Void> streamed(MessageExchange exchange, ReplyView view, Optional<String> upstreamRequestId,
            TurnOutcome outcome, Optional<Duration> firstContent) {
        return reported(exchange, view, upstreamRequestId, outcome, firstContent);
    }

    private CompletionStage<Void> reported(MessageExchange exchange, ReplyView view,
            Optional<String> upstreamRequestId, TurnOutcome outcome, Optional<Duration> firstContent) {
        Usage usage = view.usage();
        String served = view.model() != null && !view.model().isBlank() ? view.model() : exchange.model();
        List<String> servedBy = usage.iterations() == null || usage.iterations().isEmpty()
                ? List.of(served)
                : usage.iterations().stream().map(Usage.Iteration::model).filter(Objects::nonNull).distinct()
                        .toList();
        String stopDetails = view.stopDetails() == null || view.stopDetails().isNull()
                ? null
                : view.stopDetails().toString();
        List<UpstreamRound> rounds = view.id() == null && upstreamRequestId.isEmpty()
                ? List.of()
                : List.of(new UpstreamRound(upstreamRequestId, Optional.ofNullable(view.id()),
                        view.id() == null ? List.of() : servedBy));
        return record(exchange, outcome, tokens(usage), outcome == TurnOutcome.OK, cost(usage, served), rounds,
                Optional.ofNullable(view.stopReason()), Optional.ofNullable(stopDetails),
                Optional.ofNullable(usage.serviceTier()), firstContent);
    }

    /**
     * Records a message the upstream was called for and that got no answer: a failure parley gave up on, or a
     * client that went away ({@code outcome}). Its tokens are unknown (a failed call is not billed; a cancelled one
     * may be, and parley cannot know how much).
     */
    CompletionStage<Void> unanswered(MessageExchange exchange, Throwable failure, TurnOutcome outcome) {
        List<UpstreamRound> rounds = failure instanceof AnthropicException upstream
                && upstream.requestId().isPresent()
                        ? List.of(new UpstreamRound(upstream.requestId(), Optional.empty(), List.of()))
                        : List.of();
        return record(exchange, outcome, TokenUsage.ZERO, false, Optional.of(Cost.ZERO), rounds, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    private CompletionStage<Void> record(MessageExchange exchange, TurnOutcome outcome, TokenUsage usage,
            boolean outputTokensFinal, Optional<Cost> cost, List<UpstreamRound> rounds, Optional<String> stopReason,
            Optional<String> stopDetails, Optional<String> serviceTier, Optional<Duration> firstContent) {
        if (!exchange.meter()) {
            return CompletableFuture.completedFuture(null);
        }
        String model = exchange.model();
        UsageRecord record = new UsageRecord(exchange.turnId(), exchange.requestId(), exchange.at(),
                exchange.caller(), ASSISTANT, Optional.empty(), model, outcome, 1, usage, outputTokensFinal, cost,
                firstContent, exchange.elapsed(), rounds, stopReason, stopDetails, serviceTier);
        // The answer waits for the rate limits' settlement too (it never fails), as for its ledger row.
        CompletionStage<Void> settled = rateLimits.settle(exchange, usage);
        return meter.record(record, modelTag(exchange.caller(), model)).thenCombine(settled, (row, limits) -> null);
    }

    /** A model name from a closed set, safe as a metric tag: a priced model, or one the caller's policy names. */
    private String modelTag(String caller, String model) {
        return pricing.price(model).isPresent() || policies.names(caller, model) ? model : OTHER_MODEL;
    }

    /** Each hop at its own model when the upstream fell back, else the whole answer at the model that served. */
    private Optional<Cost> cost(Usage usage, String served) {
        if (usage.iterations() != null && !usage.iterations().isEmpty()) {
            Optional<Cost> total = Optional.of(Cost.ZERO);
            for (Usage.Iteration hop : usage.iterations()) {
                Optional<Cost> cost = pricing.cost(hop.model() != null ? hop.model() : served, tokens(hop.usage()));
                total = total.isPresent() && cost.isPresent()
                        ? Optional.of(total.get().plus(cost.get()))
                        : Optional.empty();
            }
            return total;
        }
        TokenUsage tokens = tokens(usage);
        return tokens.equals(TokenUsage.ZERO) ? Optional.of(Cost.ZERO) : pricing.cost(served, tokens);
    }

    private static TokenUsage tokens(Usage usage) {
        return new TokenUsage(usage.input(), usage.output(), usage.cacheRead(), usage.cacheWrite5m(),
                usage.cacheWrite1h(), usage.thinking());
    }
}
