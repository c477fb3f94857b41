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
 * One run of one turn: folds the upstream events, turns text deltas into chunks as they come, and at the end
 * commits the conversation and reports usage. Created per subscription and confined to it.
 */
final class TurnRun {

    private final PreparedTurn turn;
    private final ConversationStore conversations;
    private final Pricing pricing;
    private final UsageMeter meter;
    private final MessageAccumulator accumulator = new MessageAccumulator();
    private final long startNanos = System.nanoTime();
    private long firstTokenNanos;
    private boolean ended;

    TurnRun(PreparedTurn turn, ConversationStore conversations, Pricing pricing, UsageMeter meter) {
        this.turn = turn;
        this.conversations = conversations;
        this.pricing = pricing;
        this.meter = meter;
    }

    List<ChatEvent> onEvent(StreamEvent event) {
        accumulator.accept(event);
        if (event instanceof StreamEvent.ContentBlockDelta delta && delta.delta() instanceof Delta.TextDelta text
                && !text.text().isEmpty()) {
            if (firstTokenNanos == 0) {
                firstTokenNanos = System.nanoTime();
            }
            return List.of(new TextChunk(text.text()));
        }
        return List.of();
    }

    Uni<ChatEvent> finish() {
        if (!accumulator.complete()) {
            return fail(AnthropicException.cutOff());
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
        }).onFailure().recoverWithUni(this::fail);
    }

    Uni<ChatEvent> fail(Throwable failure) {
        ChatFailure classified = ChatFailure.from(failure);
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
