package dev.parley.simulator;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The assistant message the simulator will produce, worked out before the first byte is sent so that the streamed
 * and the non-streamed forms are the same message by construction.
 *
 * @param outputTokens tokens generated, thinking included; what {@code usage.output_tokens} reports
 */
record PlannedReply(List<Block> blocks, String stopReason, String stopSequence, long outputTokens,
        long thinkingTokens, Refusal refusal, List<Iteration> iterations) {

    /** Why the model refused: {@code stop_details}. {@code category} is null where none applies. */
    record Refusal(String category, String explanation) {
    }

    /**
     * One hop of a request the server-side fallback moved ({@code usage.iterations}): {@code message} for the model
     * that declined, {@code fallback_message} for the one that served.
     */
    record Iteration(String type, String model, PromptAccounting.InputUsage input, long outputTokens) {
    }

    PlannedReply(List<Block> blocks, String stopReason, String stopSequence, long outputTokens, long thinkingTokens,
            Refusal refusal) {
        this(blocks, stopReason, stopSequence, outputTokens, thinkingTokens, refusal, List.of());
    }

    boolean refused() {
        return "refusal".equals(stopReason);
    }

    /** One content block with the deltas it streams as. */
    sealed interface Block {
    }

    record TextBlock(List<String> deltas) implements Block {
        String text() {
            return String.join("", deltas);
        }
    }

    /** A thinking block; with {@code display: omitted} the deltas are empty but the signature is still sent. */
    record ThinkingBlock(List<String> deltas, String signature) implements Block {
        String thinking() {
            return String.join("", deltas);
        }
    }

    record RedactedThinkingBlock(String data) implements Block {
    }

    /** Where a server-side fallback took over: {@code from} declined, {@code to} wrote what follows. */
    record FallbackBlock(String from, String to, String category) implements Block {
    }

    /**
     * A tool call. The first delta is the empty string, as on the real API. {@code input} is null when generation
     * stopped at {@code max_tokens} inside the block, so the input is incomplete.
     */
    record ToolUseBlock(String id, String name, List<String> deltas, JsonNode input) implements Block {
        boolean complete() {
            return input != null;
        }
    }

    int deltaCount() {
        int count = 0;
        for (Block block : blocks) {
            count += switch (block) {
                case TextBlock text -> text.deltas().size();
                case ThinkingBlock thinking -> thinking.deltas().size() + 1;
                case RedactedThinkingBlock redacted -> 0;
                case FallbackBlock fallback -> 0;
                case ToolUseBlock tool -> tool.deltas().size();
            };
        }
        return count;
    }
}
