package dev.parley.chat;

import java.time.Duration;
import java.util.Optional;

import dev.parley.usage.Cost;
import dev.parley.usage.TokenUsage;

/**
 * What a client sees of a turn, in order: text chunks as they are generated (and a {@link Retrying} notice when a
 * round is tried again), then exactly one {@link TurnDone} or one {@link TurnFailed}.
 */
public sealed interface ChatEvent {

    /** The next piece of the reply. */
    record TextChunk(String text) implements ChatEvent {
    }

    /**
     * The upstream failed before anything of this round reached the client; the round is tried again after
     * {@code delay}. {@code attempt} is the number of the coming attempt (2 for the first retry).
     */
    record Retrying(int attempt, String reason, Duration delay) implements ChatEvent {
    }

    /** The turn completed. {@code cost} is empty when the model's price is unknown. */
    record TurnDone(String stopReason, String model, TokenUsage usage, Optional<Cost> cost,
            Optional<String> conversationId, Timings timings) implements ChatEvent {
    }

    /** The turn failed after the upstream was called; {@code usage} is what was used up to then. */
    record TurnFailed(ChatFailure failure, TokenUsage usage, Optional<Cost> cost, Timings timings)
            implements
                ChatEvent {
    }

    /** Time to first token (absent when none came) and the whole turn. */
    record Timings(Optional<Duration> timeToFirstToken, Duration total) {
    }
}
