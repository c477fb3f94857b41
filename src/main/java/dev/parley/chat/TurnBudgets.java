package dev.parley.chat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.MessageRequest;
import dev.parley.anthropic.MessagesClient;
import dev.parley.chat.ChatRejectedException.Reason;
import dev.parley.usage.Cost;
import dev.parley.usage.Pricing;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.budget.BudgetUnavailableException;
import dev.parley.usage.budget.Budgets;
import dev.parley.usage.budget.Reservation;

/**
 * Budgeted turns hold an upper bound of what they can cost. Before every round, the round's input is counted by the
 * upstream ({@code count_tokens}: an estimate from the request's length cannot bound it, as one short text, an image
 * or a document can be any number of tokens), priced at the worst rate the round can be billed at, plus
 * {@code max_tokens} of output. Before the first call that is reserved or refused (an HTTP 429 until the window
 * resets); before each later round the hold grows to what the turn has spent plus that round's bound, or the turn ends
 * with {@code budget_exhausted}. A count or a reservation that fails or does not answer in time refuses the turn
 * ({@code budget_unavailable}) rather than spending unchecked. The ledger row of the turn settles the hold to the
 * actual cost.
 */
@ApplicationScoped
class TurnBudgets {

    private static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(5);
    private static final Duration PAST_DEADLINE = Duration.ofMillis(250);

    private final Budgets budgets;
    private final Pricing pricing;
    private final MessagesClient client;

    TurnBudgets(Budgets budgets, Pricing pricing, MessagesClient client) {
        this.budgets = budgets;
        this.pricing = pricing;
        this.client = client;
    }

    /**
     * Reserves a prepared turn's first round; the turn unchanged if its caller has no budget. Answered within the
     * turn's deadline: counting and reserving share what is left of it.
     */
    Uni<PreparedTurn> reserveFirstRound(PreparedTurn turn) {
        if (!budgets.appliesTo(turn.caller())) {
            return Uni.createFrom().item(turn);
        }
        if (pricing.price(turn.request().model()).isEmpty()) {
            throw new ChatRejectedException(Reason.MODEL_UNPRICED, "model " + turn.request().model()
                    + " has no price, so a caller with a budget cannot use it");
        }
        // The answers come from the upstream's and the database's threads; the turn goes on from the request's.
        Context requestContext = Vertx.currentContext();
        return countInput(turn.request(), turn.remaining())
                .onFailure().transform(failure -> unavailable(turn.requestId(), failure))
                .flatMap(input -> budgets.reserve(turn.turnId(), turn.caller(),
                        worstCase(turn, turn.request(), chain(turn), TokenUsage.ZERO, input), turn.remaining())
                        .onFailure(BudgetUnavailableException.class)
                        .transform(failure -> unavailable(turn.requestId(), failure))
                        .map(answer -> switch (answer) {
                            case Reservation.Granted granted -> turn.holding(granted, input);
                            case Reservation.Refused refused -> throw new ChatRejectedException(
                                    Reason.BUDGET_EXCEEDED, "this request's worst case does not fit in the "
                                            + refused.window().tag() + "'s budget",
                                    Optional.of(until(refused.resetsAt())));
                        }))
                .emitOn(work -> TurnDriver.onContext(requestContext, work));
    }

    /** Ends the hold of a turn that never reached the upstream (no ledger row will settle it). */
    void release(PreparedTurn turn) {
        if (turn.budget().isPresent()) {
            budgets.release(turn.turnId());
        }
    }

    /**
     * Before a later round: the turn's grown hold (empty for a turn without a budget), or a failure with
     * {@link BudgetExhaustedException}; within what is left of the turn's deadline. The answer comes on the store's
     * thread: the caller applies it to the turn on the turn's context.
     */
    Uni<Optional<Reservation.Granted>> beforeNextRound(TurnRun run) {
        if (run.budgetHold().isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        PreparedTurn turn = run.turn();
        MessageRequest request = run.request();
        TokenUsage spent = run.tokenUsage();
        // Just past the deadline: when the check outlives the turn, the turn's own deadline ends it (and names it
        // deadline_exceeded) rather than racing it with a failure nobody waits for any more.
        Duration bound = run.remaining().plus(PAST_DEADLINE);
        return countInput(request, bound)
                .flatMap(input -> budgets.reserve(turn.turnId(), turn.caller(),
                        worstCase(turn, request, run.modelsLeft(), spent, input), bound))
                .onFailure(failure -> failure instanceof BudgetUnavailableException
                        || failure instanceof AnthropicException)
                .transform(failure -> {
                    logUnavailable(turn.requestId(), failure);
                    return new BudgetExhaustedException("the budget cannot be checked right now",
                            Optional.of(retryAfter(failure)));
                })
                .map(answer -> switch (answer) {
                    case Reservation.Granted granted -> Optional.of(granted);
                    case Reservation.Refused refused -> throw new BudgetExhaustedException(
                            "the next round does not fit in the " + refused.window().tag() + "'s budget",
                            Optional.of(until(refused.resetsAt())));
                });
    }

    /** The round's input tokens as the upstream counts them, within {@code limit}. */
    private Uni<Long> countInput(MessageRequest request, Duration limit) {
        return client.countTokens(request, limit);
    }

    /**
     * What the turn has spent plus an upper bound of a call with this request: its counted input at the dearest rate
     * it may be billed at (a cache write, at the dearest TTL of the profile's breakpoints, when it caches; the
     * long-context band when the turn's input crosses its threshold, which {@link Pricing} picks), and
     * {@code max_tokens} of output; and as much again at every model of the fallback chain still ahead
     * ({@code models} after the first, the serving one), since a round can be billed on each before one answers.
     */
    private BigDecimal worstCase(PreparedTurn turn, MessageRequest request, List<String> models, TokenUsage spent,
            long input) {
        BigDecimal worst = worstCall(turn, request, models.getFirst(), spent, input);
        for (String fallback : models.subList(1, models.size())) {
            worst = worst.add(worstCall(turn, request, fallback, TokenUsage.ZERO, input));
        }
        return worst;
    }

    private BigDecimal worstCall(PreparedTurn turn, MessageRequest request, String model, TokenUsage spent,
            long input) {
        List<TokenUsage> billings = switch (turn.profile().dearestCacheWrite()) {
            case NONE -> List.of(new TokenUsage(input, 0, 0, 0, 0));
            case FIVE_MINUTES -> List.of(new TokenUsage(input, 0, 0, 0, 0), new TokenUsage(0, 0, 0, input, 0));
            case ONE_HOUR -> List.of(new TokenUsage(input, 0, 0, 0, 0), new TokenUsage(0, 0, 0, 0, input));
        };
        TokenUsage rest = spent.plus(output(request));
        return billings.stream()
                .map(prompt -> pricing.cost(model, rest.plus(prompt)).map(Cost::totalUsd).orElseThrow())
                .max(BigDecimal::compareTo).orElseThrow();
    }

    /** The profile's model and its fallback chain: every model the first round may be billed on. */
    private static List<String> chain(PreparedTurn turn) {
        List<String> models = new ArrayList<>();
        models.add(turn.request().model());
        turn.profile().fallbackModels().forEach(fallback -> models.add(fallback.model()));
        return models;
    }

    /** {@code max_tokens} of output: the most a call with this request can add. */
    static TokenUsage output(MessageRequest request) {
        return new TokenUsage(0, request.maxTokens(), 0, 0, 0);
    }

    private static ChatRejectedException unavailable(String requestId, Throwable failure) {
        logUnavailable(requestId, failure);
        return new ChatRejectedException(Reason.BUDGET_UNAVAILABLE,
                failure instanceof AnthropicException
                        ? "the request's input tokens cannot be counted right now, so its budget cannot be checked"
                        : "the budget cannot be checked right now",
                Optional.of(retryAfter(failure)));
    }

    private static void logUnavailable(String requestId, Throwable failure) {
        RequestLogs.withRequestId(requestId,
                () -> Log.warnf("budget not checked, turn refused: %s", failure.getMessage()));
    }

    /** The upstream's own wait when it named one (a rate-limited count), else a few seconds. */
    private static Duration retryAfter(Throwable failure) {
        return failure instanceof AnthropicException upstream
                ? upstream.retryAfter().filter(wait -> !wait.isZero()).orElse(RETRY_UNAVAILABLE)
                : RETRY_UNAVAILABLE;
    }

    private static Duration until(Instant resetsAt) {
        return Duration.between(Instant.now(), resetsAt);
    }
}
