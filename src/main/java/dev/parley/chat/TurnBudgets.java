package dev.parley.chat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.MessageRequest;
import dev.parley.chat.ChatRejectedException.Reason;
import dev.parley.usage.Cost;
import dev.parley.usage.Pricing;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.budget.BudgetUnavailableException;
import dev.parley.usage.budget.Budgets;
import dev.parley.usage.budget.Reservation;

/**
 * Budgeted turns hold their worst case. Before the first call: the request's input estimate plus {@code max_tokens},
 * at the model's prices, reserved or refused (an HTTP 429 until the window resets). Before each later round: the
 * hold grows to what the turn has spent plus that round's worst case, or the turn ends with {@code budget_exhausted}.
 * The ledger row of the turn settles the hold to the actual cost.
 */
@ApplicationScoped
class TurnBudgets {

    private static final Optional<Duration> RETRY_UNAVAILABLE = Optional.of(Duration.ofSeconds(5));

    private final Budgets budgets;
    private final Pricing pricing;
    /** Bound once: the request's JSON is measured for every budgeted round. */
    private final ObjectWriter requestWriter;

    TurnBudgets(Budgets budgets, Pricing pricing, ObjectMapper json) {
        this.budgets = budgets;
        this.pricing = pricing;
        this.requestWriter = json.writerFor(MessageRequest.class);
    }

    /** Reserves a prepared turn's first round; the turn unchanged if its caller has no budget. */
    Uni<PreparedTurn> reserveFirstRound(PreparedTurn turn) {
        if (!budgets.appliesTo(turn.caller())) {
            return Uni.createFrom().item(turn);
        }
        BigDecimal worstCase = worstCase(turn, turn.request(), TokenUsage.ZERO).orElseThrow(
                () -> new ChatRejectedException(Reason.MODEL_UNPRICED, "model " + turn.request().model()
                        + " has no price, so a caller with a budget cannot use it"));
        // The answer comes from the database on a worker thread; the turn goes on from the request's event loop.
        Context requestContext = Vertx.currentContext();
        return budgets.reserve(turn.turnId(), turn.caller(), worstCase, turn.deadline())
                .emitOn(work -> TurnRun.onContext(requestContext, work))
                .onFailure(BudgetUnavailableException.class).transform(failure -> new ChatRejectedException(
                        Reason.BUDGET_UNAVAILABLE, "the budget cannot be checked right now", RETRY_UNAVAILABLE))
                .map(answer -> switch (answer) {
                    case Reservation.Granted granted -> turn.holding(granted);
                    case Reservation.Refused refused -> throw new ChatRejectedException(Reason.BUDGET_EXCEEDED,
                            "this request's worst case does not fit in the " + refused.window().tag()
                                    + "'s budget",
                            Optional.of(until(refused.resetsAt())));
                });
    }

    /** Ends the hold of a turn that never reached the upstream (no ledger row will settle it). */
    void release(PreparedTurn turn) {
        if (turn.budget().isPresent()) {
            budgets.release(turn.turnId());
        }
    }

    /** Before a later round: grows the turn's hold, or fails with {@link BudgetExhaustedException}. */
    Uni<Void> beforeNextRound(TurnRun run) {
        if (run.budgetHold().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        PreparedTurn turn = run.turn();
        TokenUsage spent = run.tokenUsage();
        BigDecimal total = worstCase(turn, run.request(), spent).orElseThrow();
        return budgets.reserve(turn.turnId(), turn.caller(), total, run.remaining())
                .onFailure(BudgetUnavailableException.class).transform(failure -> new BudgetExhaustedException(
                        "the budget cannot be checked right now", RETRY_UNAVAILABLE))
                .emitOn(run::onContext)
                .map(answer -> switch (answer) {
                    case Reservation.Granted granted -> {
                        run.holdGrew(granted);
                        yield null;
                    }
                    case Reservation.Refused refused -> throw new BudgetExhaustedException(
                            "the next round does not fit in the " + refused.window().tag() + "'s budget",
                            Optional.of(until(refused.resetsAt())));
                });
    }

    /**
     * What the turn has spent plus the worst case of a call with this request: the input estimated from the request's
     * JSON (priced as a cache write at the profile's TTL when it caches), and {@code max_tokens} of output.
     */
    private Optional<BigDecimal> worstCase(PreparedTurn turn, MessageRequest request, TokenUsage spent) {
        long input = budgets.estimateInputTokens(jsonLength(request),
                request.tools() != null && !request.tools().isEmpty());
        TokenUsage prompt = switch (turn.profile().cacheSystemPrompt()) {
            case NONE -> new TokenUsage(input, 0, 0, 0, 0);
            case FIVE_MINUTES -> new TokenUsage(0, 0, 0, input, 0);
            case ONE_HOUR -> new TokenUsage(0, 0, 0, 0, input);
        };
        return pricing.cost(request.model(), spent.plus(prompt).plus(output(request))).map(Cost::totalUsd);
    }

    /** {@code max_tokens} of output: the most a call with this request can add. */
    static TokenUsage output(MessageRequest request) {
        return new TokenUsage(0, request.maxTokens(), 0, 0, 0);
    }

    private long jsonLength(MessageRequest request) {
        try {
            return requestWriter.writeValueAsBytes(request).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request that cannot be written cannot be sent either", e);
        }
    }

    private static Duration until(Instant resetsAt) {
        return Duration.between(Instant.now(), resetsAt);
    }
}
