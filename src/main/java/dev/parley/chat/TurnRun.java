package dev.parley.chat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.Delta;
import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.Message;
import dev.parley.anthropic.MessageAccumulator;
import dev.parley.anthropic.StreamEvent;
import dev.parley.anthropic.Usage;
import dev.parley.chat.ChatEvent.TextChunk;
import dev.parley.chat.ChatEvent.Timings;
import dev.parley.chat.ChatEvent.TurnDone;
import dev.parley.chat.ChatEvent.TurnFailed;
import dev.parley.usage.Cost;
import dev.parley.usage.Pricing;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.TurnOutcome;
import dev.parley.usage.UsageMeter;
import dev.parley.usage.UsageRecord;

/**
 * One run of one turn: folds the upstream events of the current attempt, turns text deltas into chunks as they come,
 * sums usage over every attempt (a failed attempt may have been billed), and at the end commits the conversation and
 * reports usage exactly once. Created per subscription and confined to it.
 */
final class TurnRun {

    private final PreparedTurn turn;
    private final ConversationStore conversations;
    private final Pricing pricing;
    private final UsageMeter meter;
    private final long startNanos = System.nanoTime();
    private final long deadlineNanos;
    private MessageAccumulator accumulator = new MessageAccumulator();
    private TokenUsage earlierAttempts = TokenUsage.ZERO;
    private boolean sentThisRound;
    private long firstTokenNanos;
    private boolean ended;

    TurnRun(PreparedTurn turn, ConversationStore conversations, Pricing pricing, UsageMeter meter) {
        this.turn = turn;
        this.conversations = conversations;
        this.pricing = pricing;
        this.meter = meter;
        this.deadlineNanos = startNanos + turn.deadline().toNanos();
    }

    /** Starts an attempt: what earlier attempts used is kept, their partial content is not. */
    void startAttempt() {
        earlierAttempts = earlierAttempts.plus(usageOf(accumulator));
        accumulator = new MessageAccumulator();
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

    dev.parley.anthropic.MessageRequest request() {
        return turn.request();
    }

    List<ChatEvent> onEvent(StreamEvent event) {
        accumulator.accept(event);
        if (event instanceof StreamEvent.ContentBlockDelta delta && delta.delta() instanceof Delta.TextDelta text
                && !text.text().isEmpty()) {
            if (firstTokenNanos == 0) {
                firstTokenNanos = System.nanoTime();
            }
            sentThisRound = true;
            return List.of(new TextChunk(text.text()));
        }
        return List.of();
    }

    /** The end of the upstream stream: a cut stream fails (so it may be retried), a complete one is committed. */
    Uni<ChatEvent> finish() {
        if (!accumulator.complete()) {
            return Uni.createFrom().failure(AnthropicException.cutOff());
        }
        Message message = accumulator.message();
        Uni<Void> commit = turn.conversationId()
                .map(id -> conversations.commitTurn(id, turn.profile().name(), turn.storedLength(),
                        List.of(turn.userMessage(), InputMessage.assistant(Messages.replayable(message.content()))))
                        .replaceWithVoid())
                .orElse(Uni.createFrom().voidItem());
        return commit.map(ignored -> {
            TokenUsage usage = tokenUsage();
            Optional<Cost> cost = pricing.cost(turn.request().model(), usage);
            Timings timings = timings();
            end(TurnOutcome.OK, usage, cost, timings);
            return (ChatEvent) new TurnDone(message.stopReason(), modelName(message), usage, cost,
                    turn.conversationId(), timings);
        });
    }

    Uni<ChatEvent> fail(Throwable failure) {
        return fail(failure, Optional.empty());
    }

    /** Ends the turn with a failure; {@code retryAfter} tells the client how long to wait, when known. */
    Uni<ChatEvent> fail(Throwable failure, Optional<Duration> retryAfter) {
        ChatFailure classified = ChatFailure.from(failure).withRetryAfter(retryAfter);
        TokenUsage usage = tokenUsage();
        Optional<Cost> cost = pricing.cost(turn.request().model(), usage);
        Timings timings = timings();
        if (failure instanceof AnthropicException upstream) {
            Log.warnf("[%s] upstream failure: %s %s", turn.requestId(), upstream.getMessage(),
                    upstream.upstreamMessage().orElse(""));
        } else if (classified.code() == ChatFailure.Code.INTERNAL_ERROR) {
            Log.errorf(failure, "[%s] turn failed", turn.requestId());
        }
        end(classified.code() == ChatFailure.Code.INTERNAL_ERROR
                ? TurnOutcome.INTERNAL_ERROR
                : TurnOutcome.UPSTREAM_ERROR, usage, cost, timings);
        return Uni.createFrom().item(new TurnFailed(classified, usage, cost, timings));
    }

    /** Ends a turn the server stops before it completed: the usage so far, reported like any ended turn. */
    ChatEvent serverShutdown() {
        TokenUsage usage = tokenUsage();
        Optional<Cost> cost = pricing.cost(turn.request().model(), usage);
        Timings timings = timings();
        end(TurnOutcome.SERVER_SHUTDOWN, usage, cost, timings);
        return new TurnFailed(ChatFailure.of(ChatFailure.Code.SERVER_SHUTTING_DOWN, true), usage, cost, timings);
    }

    void cancelled() {
        TokenUsage usage = tokenUsage();
        end(TurnOutcome.CLIENT_CANCELLED, usage, pricing.cost(turn.request().model(), usage), timings());
    }

    private void end(TurnOutcome outcome, TokenUsage usage, Optional<Cost> cost, Timings timings) {
        if (ended) {
            return;
        }
        ended = true;
        meter.record(new UsageRecord(turn.requestId(), turn.profile().name(), turn.request().model(), outcome, usage,
                cost, timings.timeToFirstToken(), timings.total()));
    }

    private String modelName(Message message) {
        return message.model() != null ? message.model() : turn.request().model();
    }

    private TokenUsage tokenUsage() {
        return earlierAttempts.plus(usageOf(accumulator));
    }

    private static TokenUsage usageOf(MessageAccumulator accumulator) {
        Usage usage = accumulator.usage();
        return new TokenUsage(usage.input(), usage.output(), usage.cacheRead(), usage.cacheWrite5m(),
                usage.cacheWrite1h());
    }

    private Timings timings() {
        long now = System.nanoTime();
        return new Timings(firstTokenNanos == 0
                ? Optional.empty()
                : Optional.of(Duration.ofNanos(firstTokenNanos - startNanos)), Duration.ofNanos(now - startNanos));
    }
}
