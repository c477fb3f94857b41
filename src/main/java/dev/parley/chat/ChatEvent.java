package dev.parley.chat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.usage.Cost;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.UpstreamRound;

/**
 * What a client sees of a turn, in order: text chunks as they are generated, tool calls and their results as they
 * happen (and a {@link Retrying} notice when a round is tried again), then exactly one {@link TurnDone} or one
 * {@link TurnFailed}.
 */
public sealed interface ChatEvent {

    /** The next piece of the reply. */
    record TextChunk(String text) implements ChatEvent {
    }

    /**
     * The next piece of the model's thinking: {@code block} counts the turn's thinking blocks from 1, over all its
     * rounds. Only the text: a block's signature never leaves parley.
     */
    record ThinkingChunk(int block, String text) implements ChatEvent {
    }

    /**
     * A thinking block whose text the client cannot see: the upstream sent it {@code omitted} (empty text, for the
     * profile's {@code display}) or {@code redacted} (encrypted). Sent once, when the block is complete.
     */
    record ThinkingHidden(int block, Hidden why) implements ChatEvent {

        /** Why the text is not there. */
        public enum Hidden {
            OMITTED,
            REDACTED;

            public String wireName() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /** The model asked for a tool; sent as soon as the call is complete (its {@code content_block_stop}). */
    record ToolCalled(String id, String name, JsonNode input) implements ChatEvent {
    }

    /**
     * A call of a tool that needs approval ({@code parley.tools.needs-approval}) waits for the turn's caller to approve
     * or deny it; sent when the round ended, after its {@link ToolCalled}.
     */
    record ToolApprovalAsked(String id, String name, JsonNode input) implements ChatEvent {
    }

    /** A tool returned (or failed: {@code isError}, with a message for the model in {@code content}). */
    record ToolReturned(String id, String name, boolean isError, String content, Duration duration)
            implements
                ChatEvent {
    }

    /**
     * The upstream failed before anything of this round reached the client; the round is tried again after
     * {@code delay}. {@code attempt} is the number of the coming attempt (2 for the first retry); {@code model} is set
     * when the round goes to the next model of the profile's fallback chain, which serves the rest of the turn.
     */
    record Retrying(int attempt, String reason, Duration delay, Optional<String> model) implements ChatEvent {
    }

    /**
     * The turn completed. {@code stopReason} is the model's, or the limit that ended a tool loop ({@code max_rounds},
     * {@code max_tool_calls}, {@code max_cost}), or {@code tool_call_incomplete} when the reply hit {@code max_tokens}
     * inside a tool call (the call was not run). Usage and cost are summed over all rounds; {@code cost} is empty
     * when the model's price is unknown.
     */
    record TurnDone(String stopReason, String model, TokenUsage usage, Optional<Cost> cost,
            Optional<String> conversationId, Timings timings, List<RoundUsage> rounds, Optional<String> stopDetails,
            Optional<String> serviceTier) implements ChatEvent {

        /** Every model that served a round, each once, in the order they first served. */
        public List<String> servedModels() {
            return rounds.stream().flatMap(round -> round.upstream().servedBy().stream()).distinct().toList();
        }
    }

    /**
     * What one round (one model call, retries included) used, what it cost at the model(s) that served it, and how
     * the upstream knows it.
     */
    record RoundUsage(TokenUsage usage, Optional<Cost> cost, UpstreamRound upstream) {
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
