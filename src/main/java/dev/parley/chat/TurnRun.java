package dev.parley.chat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.Delta;
import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.Message;
import dev.parley.anthropic.MessageAccumulator;
import dev.parley.anthropic.MessageRequest;
import dev.parley.anthropic.StreamEvent;
import dev.parley.anthropic.Usage;
import dev.parley.chat.ChatEvent.RoundUsage;
import dev.parley.chat.ChatEvent.TextChunk;
import dev.parley.chat.ChatEvent.ThinkingChunk;
import dev.parley.chat.ChatEvent.Timings;
import dev.parley.chat.ChatEvent.ToolCalled;
import dev.parley.chat.ChatEvent.ToolReturned;
import dev.parley.chat.ChatEvent.TurnDone;
import dev.parley.chat.ChatEvent.TurnFailed;
import dev.parley.ratelimit.CallerAnswer;
import dev.parley.ratelimit.CallerHold;
import dev.parley.tool.ToolCall;
import dev.parley.tool.ToolResult;
import dev.parley.usage.Cost;
import dev.parley.usage.Pricing;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.TurnOutcome;
import dev.parley.usage.UpstreamRound;
import dev.parley.usage.UsageMeter;
import dev.parley.usage.UsageRecord;
import dev.parley.usage.budget.Reservation;

/**
 * One run of one turn, over all its rounds: folds the upstream events of the current attempt, turns text deltas and
 * finished tool calls into events as they come, keeps the conversation of the turn (assistant content unchanged,
 * thinking included, and the tool results), sums usage over every attempt of every round, and at the end commits the
 * conversation and reports usage exactly once. The turn's state and nothing else: created per turn by
 * {@link ChatEngine} and touched only by its {@link TurnDriver}, on the turn's context.
 */
final class TurnRun {

    /** How a round ended. */
    sealed interface RoundEnd {
        /** The model wants these tools run before the next round. */
        record RunTools(List<ToolCall> calls) implements RoundEnd {
        }

        /** The turn is over, with this stop reason. */
        record Finished(String stopReason) implements RoundEnd {
        }
    }

    private final PreparedTurn turn;
    private final ConversationStore conversations;
    private final Pricing pricing;
    private final UsageMeter meter;
    private final ChatLimitsConfig limits;
    private final TurnSpan span;
    private final long startNanos = System.nanoTime();
    private final Instant startedAt = Instant.now();
    /** Whether a round has been sent upstream and not yet ended: it counts in the ledger's rounds. */
    private boolean roundOpen = true;
    private final long deadlineNanos;
    private final List<InputMessage> exchange = new ArrayList<>();
    private final List<RoundUsage> rounds = new ArrayList<>();
    private final List<ToolResult> results = new ArrayList<>();
    private List<ToolCall> pendingCalls = List.of();
    private MessageAccumulator accumulator = new MessageAccumulator();
    private final ThinkingBlocks thinking = new ThinkingBlocks();
    /** The upstream's ids and serving models of each ended round, in order. */
    private final List<UpstreamRound> upstreamRounds = new ArrayList<>();
    /** What the ended rounds cost, each priced at the model(s) that served it; empty once one is unpriced. */
    private Optional<Cost> earlierRoundsCost = Optional.of(Cost.ZERO);
    private Optional<String> attemptRequestId = Optional.empty();
    private Optional<String> lastStopDetails = Optional.empty();
    private Optional<String> lastStopReason = Optional.empty();
    private Optional<String> serviceTier = Optional.empty();
    private TokenUsage earlierRounds = TokenUsage.ZERO;
    private TokenUsage earlierAttemptsOfRound = TokenUsage.ZERO;
    /** What the failed attempts of the current round cost, each at the model it was made to; empty once unpriced. */
    private Optional<Cost> earlierAttemptsCost = Optional.of(Cost.ZERO);
    /** Which model serves the rounds: 0 the profile's own, n the n-th of its fallback chain (for the rest of the turn). */
    private int chainPosition;
    /** The model the current attempt was sent to. */
    private String attemptModel;
    /**
     * Messages before this index of the exchange were made by an earlier model of the chain: they go to the serving
     * model without their thinking blocks, which are bound to the model that made them.
     */
    private int exchangeOfEarlierModels;
    private int toolCalls;
    private int attemptsOfRound;
    private boolean sentThisRound;
    private long firstTokenNanos;
    private boolean ended;
    private Optional<Reservation.Granted> budgetHold;
    private final TurnCallerLimits callerLimits;
    /** What the turn holds of its caller's rate limits, settled to its usage when it ends. */
    private Optional<CallerHold> callerHold;

    TurnRun(PreparedTurn turn, ConversationStore conversations, Pricing pricing, UsageMeter meter,
            ChatLimitsConfig limits, TurnSpan span, TurnCallerLimits callerLimits) {
        this.span = span;
        this.turn = turn;
        this.conversations = conversations;
        this.pricing = pricing;
        this.meter = meter;
        this.limits = limits;
        // From the turn's admission: the budget check and the wait for a permit count.
        this.deadlineNanos = turn.admittedNanos() + turn.deadline().toNanos();
        this.budgetHold = turn.budget();
        this.attemptModel = turn.request().model();
        this.callerLimits = callerLimits;
        this.callerHold = turn.rateLimits().map(CallerAnswer.Admitted::hold);
        exchange.add(turn.userMessage());
    }

    /** Starts an attempt of the current round: what earlier attempts used is kept, their partial content is not. */
    void startAttempt() {
        earlierAttemptsCost = sum(earlierAttemptsCost, attemptCost());
        earlierAttemptsOfRound = earlierAttemptsOfRound.plus(usageOf(accumulator));
        attemptModel = model();
        attemptRequestId = Optional.empty();
        accumulator = new MessageAccumulator();
        thinking.newMessage();
        attemptsOfRound++;
        debug("turn round %d attempt %d on context %s", rounds.size() + 1, attemptsOfRound);
    }

    /** The current attempt's call opened; the upstream named it so (its {@code request-id}), if it did. */
    void opened(Optional<String> upstreamRequestId) {
        attemptRequestId = upstreamRequestId;
    }

    /** The number the next attempt of the current round will have (2 after the first failed). */
    int nextAttempt() {
        return attemptsOfRound + 1;
    }

    /** The model that serves the turn's rounds now: the profile's own, or the fallback it was handed to. */
    String model() {
        return chainPosition == 0
                ? turn.request().model()
                : turn.profile().fallbackModels().get(chainPosition - 1).model();
    }

    /** The next model of the profile's fallback chain, if the chain goes on. */
    Optional<String> nextModel() {
        List<AssistantProfile.FallbackModel> chain = turn.profile().fallbackModels();
        return chainPosition < chain.size() ? Optional.of(chain.get(chainPosition).model()) : Optional.empty();
    }

    /**
     * Every model that may still serve a round of this turn, the serving one first: what a budget must bound, as a
     * round may be billed on each before one answers.
     */
    List<String> modelsLeft() {
        List<String> models = new ArrayList<>();
        models.add(model());
        turn.profile().fallbackModels().subList(chainPosition, turn.profile().fallbackModels().size())
                .forEach(fallback -> models.add(fallback.model()));
        return models;
    }

    /**
     * Hands the current round, and every later one, to the next model of the chain; what was said so far goes to it
     * without the thinking that earlier models made. Returns that model.
     */
    String fallBack() {
        chainPosition++;
        exchangeOfEarlierModels = exchange.size();
        debug("turn round %d falls back to " + model() + " on context %s", rounds.size() + 1);
        return model();
    }

    /** Whether anything of the current round has been sent to the client (then it must not be retried). */
    boolean sentToClient() {
        return sentThisRound;
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    String requestId() {
        return turn.requestId();
    }

    PreparedTurn turn() {
        return turn;
    }

    Optional<Reservation.Granted> budgetHold() {
        return budgetHold;
    }

    /** A later round's reservation was granted. */
    void holdGrew(Reservation.Granted hold) {
        budgetHold = Optional.of(hold);
    }

    Optional<CallerHold> callerHold() {
        return callerHold;
    }

    /** A later round's tokens fit in the caller's rate limits. */
    void callerHoldGrew(CallerHold hold) {
        callerHold = Optional.of(hold);
    }

    TurnSpan span() {
        return span;
    }

    /**
     * Names the Vert.x context the caller runs on, for debug lines that show where a turn's steps ran (each request
     * has a context of its own, even when two share an event-loop thread).
     */
    static String currentContextName() {
        Context current = Vertx.currentContext();
        return current == null ? "none" : Integer.toHexString(System.identityHashCode(current));
    }

    /**
     * The request of the current round: the prepared one plus the turn's exchange so far, with the profile's
     * conversation breakpoint on its last message.
     */
    MessageRequest request() {
        List<InputMessage> messages = new ArrayList<>(turn.request().messages());
        messages.addAll(exchange.subList(1, exchange.size()));
        if (chainPosition > 0) {
            // The history and the exchange before the hand-over: made by other models.
            int earlier = turn.request().messages().size() - 1 + exchangeOfEarlierModels;
            for (int i = 0; i < earlier; i++) {
                messages.set(i, ThinkingBinding.withoutThinking(messages.get(i)));
            }
        }
        MessageRequest request = turn.request().withMessages(
                CacheBreakpoints.onLastMessage(messages, turn.profile().cacheConversation()));
        if (chainPosition == 0) {
            return request;
        }
        AssistantProfile.FallbackModel fallback = turn.profile().fallbackModels().get(chainPosition - 1);
        return request.forModel(fallback.model(), fallback.thinking().orElse(null),
                fallback.effort().map(MessageRequest.OutputConfig::new).orElse(null));
    }

    /**
     * Folds one upstream event; what it gives the client, if anything (most events give nothing, a text delta one, a
     * thinking delta one when the profile shows thinking).
     */
    Optional<ChatEvent> onEvent(StreamEvent event) {
        Optional<ContentBlock> completed = accumulator.accept(event);
        switch (event) {
            case StreamEvent.MessageStart start when budgetHold.isPresent() -> checkCeiling(budgetHold.get());
            case StreamEvent.ContentBlockStart start when isThinking(start.contentBlock()) -> {
                thinking.opened(start.index());
            }
            case StreamEvent.ContentBlockDelta delta when delta.delta() instanceof Delta.TextDelta text
                    && !text.text().isEmpty() -> {
                return Optional.of(sent(new TextChunk(text.text())));
            }
            case StreamEvent.ContentBlockDelta delta when delta.delta() instanceof Delta.ThinkingDelta piece
                    && piece.thinking() != null && !piece.thinking().isEmpty() && turn.profile().showThinking() -> {
                return Optional.of(sent(new ThinkingChunk(thinking.textOf(delta.index()), piece.thinking())));
            }
            case StreamEvent.ContentBlockStop stop when completed.isPresent() -> {
                return completedBlock(stop.index(), completed.get());
            }
            default -> {
            }
        }
        return Optional.empty();
    }

    private Optional<ChatEvent> completedBlock(int index, ContentBlock block) {
        if (block instanceof ContentBlock.ToolUse call && call.input() != null) {
            return Optional.of(sent(new ToolCalled(call.id(), call.name(), call.input())));
        }
        if (!turn.profile().showThinking()) {
            return Optional.empty();
        }
        return thinking.hiddenAt(index, block).map(this::sent);
    }

    /** An event of this round goes to the client: from now on the round must not be tried again. */
    private ChatEvent sent(ChatEvent event) {
        if (firstTokenNanos == 0) {
            firstTokenNanos = System.nanoTime();
        }
        sentThisRound = true;
        return event;
    }

    private static boolean isThinking(ContentBlock block) {
        return block instanceof ContentBlock.Thinking || block instanceof ContentBlock.RedactedThinking;
    }

    /**
     * Ends the current round: a stream cut before {@code message_stop} fails (so it may be retried); otherwise the
     * assistant's content joins the exchange unchanged, and either tools are to run or the turn is over.
     */
    RoundEnd endRound() {
        if (!accumulator.complete()) {
            throw AnthropicException.cutOff();
        }
        roundOpen = false;
        Message message = accumulator.message();
        span.responseModel(message.model());
        TokenUsage roundUsage = earlierAttemptsOfRound.plus(usageOf(accumulator));
        Optional<Cost> roundCost = openRoundCost();
        UpstreamRound upstream = upstreamRound(message);
        upstreamRounds.add(upstream);
        rounds.add(new RoundUsage(roundUsage, roundCost, upstream));
        earlierRoundsCost = sum(earlierRoundsCost, roundCost);
        earlierRounds = earlierRounds.plus(roundUsage);
        lastStopReason = Optional.ofNullable(message.stopReason());
        lastStopDetails = Optional.ofNullable(message.stopDetails()).filter(details -> !details.isNull())
                .map(JsonNode::toString);
        Optional.ofNullable(message.usage().serviceTier()).ifPresent(tier -> serviceTier = Optional.of(tier));
        earlierAttemptsOfRound = TokenUsage.ZERO;
        earlierAttemptsCost = Optional.of(Cost.ZERO);
        attemptsOfRound = 0;
        accumulator = new MessageAccumulator();
        thinking.newMessage();
        debug("turn round %d ended on context %s", rounds.size());
        exchange.add(InputMessage.assistant(Messages.replayable(message.content())));
        if (Message.STOP_MAX_TOKENS.equals(message.stopReason())
                && !message.content().isEmpty()
                && message.content().getLast() instanceof ContentBlock.ToolUse unfinished
                && unfinished.input() == null) {
            List<ToolCall> complete = completeCalls(message);
            if (!complete.isEmpty()) {
                answerUnrun(complete, "Not run: the reply was cut off by max_tokens.");
            }
            return new RoundEnd.Finished("tool_call_incomplete");
        }
        if (!Message.STOP_TOOL_USE.equals(message.stopReason())) {
            return new RoundEnd.Finished(message.stopReason());
        }
        List<ToolCall> calls = completeCalls(message);
        Optional<String> limit = limitReached(calls.size());
        if (limit.isPresent()) {
            // Answer every call, so the stored conversation stays valid to send back.
            answerUnrun(calls, "Not run: this turn reached its limit (" + limit.get() + ").");
            return new RoundEnd.Finished(limit.get());
        }
        toolCalls += calls.size();
        pendingCalls = calls;
        results.clear();
        return new RoundEnd.RunTools(calls);
    }

    ChatEvent onToolResult(ToolResult result) {
        debug("turn tool result %s on context %s", result.id());
        results.add(result);
        return new ToolReturned(result.id(), result.name(), result.isError(), result.content(), result.duration());
    }

    /** All tools of the round returned: their results go back in one user message, in the order of the calls. */
    void startNextRound() {
        List<ContentBlock> blocks = new ArrayList<>();
        for (ToolCall call : pendingCalls) {
            ToolResult result = results.stream().filter(r -> r.id().equals(call.id())).findFirst().orElseThrow();
            blocks.add(new ContentBlock.ToolResult(call.id(), List.of(new ContentBlock.Text(result.content())),
                    result.isError() ? Boolean.TRUE : null, null));
        }
        exchange.add(InputMessage.user(blocks));
        pendingCalls = List.of();
        sentThisRound = false;
        roundOpen = true;
        debug("turn round %d follows the tools on context %s", rounds.size() + 1);
    }

    /**
     * The turn is over: the exchange is committed to the conversation (if any) and usage reported. When the store
     * cannot take it, the turn ends {@code conversation_not_saved} (its usage reported all the same), as the
     * conversation is still as the turn found it and the client may send the message again.
     */
    Uni<ChatEvent> finish(String stopReason) {
        Uni<Void> commit = turn.conversationId()
                .map(id -> conversations.commitTurn(id, turn.caller(), turn.profile().name(), turn.storedLength(),
                        exchange, turn.thinking()))
                .orElse(Uni.createFrom().voidItem());
        return commit.flatMap(ignored -> {
            TokenUsage usage = tokenUsage();
            Optional<Cost> cost = cost();
            Timings timings = timings();
            span.finishReason(stopReason);
            ChatEvent done = new TurnDone(stopReason, turn.request().model(), usage, cost, turn.conversationId(),
                    timings, List.copyOf(rounds), lastStopDetails, serviceTier);
            return end(TurnOutcome.OK, usage, cost, timings).replaceWith(done);
        }).onFailure(ConversationStoreUnavailableException.class).recoverWithUni(this::fail);
    }

    Uni<ChatEvent> fail(Throwable failure) {
        return fail(failure, Optional.empty());
    }

    /** Ends the turn with a failure; {@code retryAfter} tells the client how long to wait, when known. */
    Uni<ChatEvent> fail(Throwable failure, Optional<Duration> retryAfter) {
        ChatFailure classified = ChatFailure.from(failure).withRetryAfter(retryAfter);
        TokenUsage usage = tokenUsage();
        Optional<Cost> cost = cost();
        Timings timings = timings();
        RequestLogs.withRequestId(turn.requestId(), () -> {
            if (failure instanceof AnthropicException upstream) {
                Log.warnf("upstream failure: %s %s", upstream.getMessage(), upstream.upstreamMessage().orElse(""));
            } else if (classified.code() == ChatFailure.Code.INTERNAL_ERROR) {
                Log.error("turn failed", failure);
            } else if (classified.code() == ChatFailure.Code.CONVERSATION_NOT_SAVED) {
                Log.warnf("reply not saved to conversation %s: %s", turn.conversationId().orElse("-"),
                        failure.getMessage());
            }
        });
        span.failure(classified.code().wireName());
        ChatEvent failed = new TurnFailed(classified, usage, cost, timings);
        return end(switch (classified.code()) {
            case INTERNAL_ERROR -> TurnOutcome.INTERNAL_ERROR;
            case BUDGET_EXHAUSTED -> TurnOutcome.BUDGET_EXHAUSTED;
            case CALLER_RATE_LIMITED -> TurnOutcome.CALLER_RATE_LIMITED;
            case CONVERSATION_NOT_SAVED -> TurnOutcome.CONVERSATION_NOT_SAVED;
            case CLIENT_TOO_SLOW -> TurnOutcome.CLIENT_TOO_SLOW;
            case TURN_STOPPED, CLIENT_GONE -> TurnOutcome.CLIENT_CANCELLED;
            default -> TurnOutcome.UPSTREAM_ERROR;
        }, usage, cost, timings).replaceWith(failed);
    }

    /**
     * Ends a turn the server stops before it completed: the usage so far, reported like any ended turn. The last
     * event does not wait for the journal here (it is asked for synchronously); the ledger syncs every submitted row
     * at shutdown, before the process exits.
     */
    ChatEvent serverShutdown() {
        TokenUsage usage = tokenUsage();
        Optional<Cost> cost = cost();
        Timings timings = timings();
        span.failure(ChatFailure.Code.SERVER_SHUTTING_DOWN.wireName());
        end(TurnOutcome.SERVER_SHUTDOWN, usage, cost, timings);
        return new TurnFailed(ChatFailure.of(ChatFailure.Code.SERVER_SHUTTING_DOWN, true), usage, cost, timings);
    }

    /**
     * The client went away (its connection closed, so the stream was cancelled): the row is submitted to the journal
     * at once, here, and is durable one group commit later; nothing is left to wait for it. What a crash can lose is
     * the row of a cancellation parley had not observed yet or had not synced yet (milliseconds).
     */
    void cancelled() {
        TokenUsage usage = tokenUsage();
        end(TurnOutcome.CLIENT_CANCELLED, usage, cost(), timings());
    }

    /**
     * A round has started and its input is now counted exactly: with {@code max_tokens} of output it must stay under
     * the ceiling, or the round is stopped before any of it is sent. (It only fails when the upstream's count was low:
     * the real API calls its count an estimate.)
     */
    private void checkCeiling(Reservation.Granted hold) {
        // The ended rounds at what they cost; this one at the model it is sent to, with max_tokens of output, in one
        // pricing so a long-context band applies to its output too.
        TokenUsage thisRound = earlierAttemptsOfRound.plus(usageOf(accumulator))
                .plus(TurnBudgets.output(turn.request()));
        Optional<Cost> worst = sum(earlierRoundsCost, pricing.cost(attemptModel, thisRound));
        boolean over = worst.map(cost -> cost.totalUsd().compareTo(hold.ceilingUsd()) > 0).orElse(true);
        if (over) {
            throw new BudgetExhaustedException("the round's input leaves too little budget for its output",
                    Optional.empty());
        }
    }

    private Optional<String> limitReached(int newCalls) {
        if (rounds.size() >= limits.maxRounds()) {
            return Optional.of("max_rounds");
        }
        if (toolCalls + newCalls > limits.maxToolCalls()) {
            return Optional.of("max_tool_calls");
        }
        Optional<BigDecimal> spent = cost().map(Cost::totalUsd);
        if (limits.maxCostUsd().isPresent() && spent.isPresent()
                && spent.get().compareTo(limits.maxCostUsd().get()) >= 0) {
            return Optional.of("max_cost");
        }
        return Optional.empty();
    }

    private static List<ToolCall> completeCalls(Message message) {
        return message.content().stream()
                .filter(block -> block instanceof ContentBlock.ToolUse use && use.input() != null)
                .map(block -> (ContentBlock.ToolUse) block)
                .map(use -> new ToolCall(use.id(), use.name(), use.input()))
                .toList();
    }

    private void answerUnrun(List<ToolCall> calls, String why) {
        exchange.add(InputMessage.user(calls.stream()
                .map(call -> (ContentBlock) new ContentBlock.ToolResult(call.id(),
                        List.of(new ContentBlock.Text(why)), Boolean.TRUE, null))
                .toList()));
    }

    /**
     * Reports the turn once; completes when its ledger row is durable (the journal's group commit runs on a thread of
     * its own, never on the event loop: the completion comes from there).
     */
    private Uni<Void> end(TurnOutcome outcome, TokenUsage usage, Optional<Cost> cost, Timings timings) {
        if (ended) {
            return Uni.createFrom().voidItem();
        }
        ended = true;
        // Names the thread that ended the turn: the turn's own context, whatever ended it.
        if (Log.isDebugEnabled()) {
            RequestLogs.withRequestId(turn.requestId(),
                    () -> Log.debugf("turn ended on context %s: %s", currentContextName(), outcome));
        }
        int roundCount = rounds.size() + (roundOpen ? 1 : 0);
        // Only a completed turn's output count is final: the upstream reports it at the end of a reply. (A reply that
        // could not be saved was complete.)
        boolean outputFinal = outcome == TurnOutcome.OK || outcome == TurnOutcome.CONVERSATION_NOT_SAVED;
        List<UpstreamRound> upstream = new ArrayList<>(upstreamRounds);
        if (roundOpen && accumulator.started()) {
            // The unfinished round was answered: its ids are what the upstream bills it under.
            upstream.add(upstreamRound(accumulator.message()));
        }
        UsageRecord record = new UsageRecord(turn.turnId(), turn.requestId(), startedAt, turn.caller(),
                turn.profile().name(), turn.conversationId(), turn.request().model(), outcome, roundCount, usage,
                outputFinal, cost, timings.timeToFirstToken(), timings.total(), upstream, lastStopReason,
                lastStopDetails, serviceTier);
        CompletionStage<Void> durable = RequestLogs.callWithRequestId(turn.requestId(), () -> meter.record(record));
        span.end(outcome, usage, roundCount);
        // Settled now, whoever waits for it (a cancelled turn's end has nobody); the last event waits for it too (it
        // never fails), as for the ledger row, so the caller's next request finds the turn's real usage counted.
        CompletionStage<Void> settled = callerHold.map(hold -> callerLimits.settle(hold, usage)
                .subscribeAsCompletionStage().thenApply(ignored -> (Void) null))
                .orElse(CompletableFuture.completedFuture(null));
        return Uni.createFrom().completionStage(durable.thenCombine(settled, (row, limits) -> (Void) null));
    }

    /**
     * A turn that never reached the upstream ends: nothing was used, so nothing is reported to the ledger; its span
     * ends with the failure's code.
     */
    void endUnsent(ChatFailure.Code code, TurnOutcome outcome) {
        if (ended) {
            return;
        }
        ended = true;
        // Nothing was used: the hold goes back whole.
        callerHold.ifPresent(hold -> callerLimits.settle(hold, TokenUsage.ZERO).subscribe().with(ignored -> {
        }));
        debug("turn ended on context %s: unsent, " + code.wireName());
        span.failure(code.wireName());
        span.end(outcome, TokenUsage.ZERO, 0);
    }

    /** A debug line naming the context the step ran on (the format's one argument). */
    void debug(String format) {
        if (Log.isDebugEnabled()) {
            RequestLogs.withRequestId(turn.requestId(), () -> Log.debugf(format, currentContextName()));
        }
    }

    /**
     * A debug line naming the context a step of the turn ran on (the format's last argument), so tests can see that
     * every step touching the turn's state ran on the turn's context.
     */
    private void debug(String format, Object detail) {
        if (Log.isDebugEnabled()) {
            RequestLogs.withRequestId(turn.requestId(), () -> Log.debugf(format, detail, currentContextName()));
        }
    }

    private void debug(String format, Object first, Object second) {
        if (Log.isDebugEnabled()) {
            RequestLogs.withRequestId(turn.requestId(),
                    () -> Log.debugf(format, first, second, currentContextName()));
        }
    }

    /** What every attempt of every round has used so far. */
    TokenUsage tokenUsage() {
        return earlierRounds.plus(earlierAttemptsOfRound).plus(usageOf(accumulator));
    }

    private static TokenUsage usageOf(MessageAccumulator accumulator) {
        return usageOf(accumulator.usage());
    }

    private static TokenUsage usageOf(Usage usage) {
        return new TokenUsage(usage.input(), usage.output(), usage.cacheRead(), usage.cacheWrite5m(),
                usage.cacheWrite1h(), usage.thinking());
    }

    /**
     * What the whole turn costs: each ended round at the model(s) that served it, and the open round's attempts.
     * Empty once any part is unpriced (a model without a price), as a guess would be worse.
     */
    Optional<Cost> cost() {
        return roundOpen ? sum(earlierRoundsCost, openRoundCost()) : earlierRoundsCost;
    }

    /** The current round's cost over its attempts: each at the model(s) that served it. */
    private Optional<Cost> openRoundCost() {
        return sum(earlierAttemptsCost, attemptCost());
    }

    /**
     * The current attempt's cost: hop by hop when the upstream's fallback moved it ({@code usage.iterations}, each hop
     * at its own model's rates), else at the model the answer names, or the one it was sent to before it answered.
     */
    private Optional<Cost> attemptCost() {
        Usage usage = accumulator.usage();
        if (usage.iterations() != null && !usage.iterations().isEmpty()) {
            Optional<Cost> hops = Optional.of(Cost.ZERO);
            for (Usage.Iteration hop : usage.iterations()) {
                hops = sum(hops,
                        pricing.cost(hop.model() != null ? hop.model() : servingModel(), usageOf(hop.usage())));
            }
            return hops;
        }
        TokenUsage current = usageOf(usage);
        return current.equals(TokenUsage.ZERO) ? Optional.of(Cost.ZERO) : pricing.cost(servingModel(), current);
    }

    /** The model the current answer names (the serving one), or the one it was sent to before the answer began. */
    private String servingModel() {
        String model = accumulator.message().model();
        return model != null && !model.isBlank() ? model : attemptModel;
    }

    private UpstreamRound upstreamRound(Message message) {
        List<String> servedBy = message.usage().iterations() == null || message.usage().iterations().isEmpty()
                ? Optional.ofNullable(message.model()).stream().toList()
                : message.usage().iterations().stream().map(Usage.Iteration::model).filter(Objects::nonNull)
                        .distinct().toList();
        return new UpstreamRound(attemptRequestId, Optional.ofNullable(message.id()), servedBy);
    }

    private static Optional<Cost> sum(Optional<Cost> first, Optional<Cost> second) {
        return first.isPresent() && second.isPresent() ? Optional.of(first.get().plus(second.get())) : Optional.empty();
    }

    private Timings timings() {
        long now = System.nanoTime();
        return new Timings(firstTokenNanos == 0
                ? Optional.empty()
                : Optional.of(Duration.ofNanos(firstTokenNanos - startNanos)), Duration.ofNanos(now - startNanos));
    }
}
