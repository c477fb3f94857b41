package dev.parley.simulator;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.simulator.Directives.ToolCallDirective;
import dev.parley.simulator.ModelCatalog.SimModel;
import dev.parley.simulator.PlannedReply.Block;
import dev.parley.simulator.PlannedReply.RedactedThinkingBlock;
import dev.parley.simulator.PlannedReply.TextBlock;
import dev.parley.simulator.PlannedReply.ThinkingBlock;
import dev.parley.simulator.PlannedReply.ToolUseBlock;

/**
 * Decides what the simulated model answers: thinking when asked for, then either tool calls (when a directive asks
 * for them in this round, or the user names an offered tool) or text. Every token is counted against
 * {@code max_tokens}; hitting it stops generation where it is, also inside a tool call.
 */
final class ReplyPlanner {

    static final String DEFAULT_REPLY = "This is a simulated reply from parley's built-in Anthropic simulator; no model "
            + "was called. Put [[sim:...]] directives in your message to choose what it does.";
    private static final String FILLER = "Simulated text from the parley simulator, not from Claude. ";
    private static final String THINKING_FILLER = "Simulated thinking: the simulator considers the request step by "
            + "step before it answers. ";
    private static final int JSON_TOKENS_PER_DELTA = 3;
    private static final int DEFAULT_THINKING_TOKENS = 24;
    private static final int MAX_RESULT_ECHO_CHARS = 200;

    private final JsonNode request;
    private final SimModel model;
    private final Directives directives;
    private final ThinkingSignatures signatures;
    private final String prefix;
    private final List<Block> blocks = new ArrayList<>();
    private long budget;
    private long outputTokens;
    private long thinkingTokens;
    private String stopReason = "end_turn";
    private String stopSequence;
    private PlannedReply.Refusal refusal;

    private ReplyPlanner(JsonNode request, SimModel model, Directives directives, ThinkingSignatures signatures,
            long maxTokens) {
        this.request = request;
        this.model = model;
        this.directives = directives;
        this.signatures = signatures;
        this.budget = maxTokens;
        this.prefix = ThinkingPrefix.of(request, request.path("messages").size());
    }

    /** The reply of {@code model} (the one asked for, or the fallback serving the request) within its limit. */
    static PlannedReply plan(JsonNode request, SimModel model, Directives directives, ThinkingSignatures signatures,
            long maxTokens) {
        return new ReplyPlanner(request, model, directives, signatures, maxTokens).plan();
    }

    private PlannedReply plan() {
        if (budget == 0) {
            return new PlannedReply(List.of(), "max_tokens", null, 0, 0, null);
        }
        planThinking();
        List<ToolCallDirective> calls = toolCallsForThisRound();
        if (budget > 0 && !calls.isEmpty()) {
            planToolRound(calls);
        } else if (budget > 0) {
            planText();
        } else {
            stopReason = "max_tokens";
        }
        return new PlannedReply(List.copyOf(blocks), stopReason, stopSequence, Math.max(outputTokens, 1),
                thinkingTokens, refusal);
    }

    private void planThinking() {
        JsonNode thinking = request.path("thinking");
        ModelBehaviour behaviour = model.behaviour();
        String type = thinking.path("type").asText(behaviour.thinksByDefault() ? "adaptive" : "disabled");
        // between_tools skips the thinking before the first tool call, not the thinking after a tool's result.
        boolean thinks = type.equals("enabled") || type.equals("adaptive")
                || type.equals("between_tools") && round() > 1;
        if (directives.redactedThinking()) {
            String data = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB3URj"
                    + "/simulated";
            blocks.add(new RedactedThinkingBlock(data));
            spend(16);
            return;
        }
        if (!thinks && directives.thinkingTokens().isEmpty()) {
            return;
        }
        long wanted = directives.thinkingTokens().map(Integer::longValue).orElseGet(this::thinkingAtEffort);
        if (type.equals("enabled")) {
            wanted = Math.min(wanted, thinking.path("budget_tokens").asLong(wanted));
        }
        List<String> tokens = take(filler(THINKING_FILLER, (int) wanted));
        thinkingTokens = tokens.size();
        // "updates" shows only the notes between tool calls: the thinking before them is omitted.
        addThinking(tokens, !display().equals("summarized"));
        if (budget == 0) {
            stopReason = "max_tokens";
        }
    }

    /**
     * The default thinking length scaled by the requested effort against the model's default: 24 tokens at the
     * model's own default, half of it at {@code low} on a {@code medium} model, and so on.
     */
    private long thinkingAtEffort() {
        String requested = request.path("output_config").path("effort").asText(null);
        String standard = model.behaviour().defaultEffort();
        if (requested == null || standard == null) {
            return DEFAULT_THINKING_TOKENS;
        }
        return Math.max(1, DEFAULT_THINKING_TOKENS * effortWeight(requested) / effortWeight(standard));
    }

    private static int effortWeight(String effort) {
        return switch (effort) {
            case "low" -> 2;
            case "medium" -> 4;
            case "high" -> 6;
            case "xhigh" -> 8;
            default -> 12;
        };
    }

    /** The display in effect; between_tools takes none and returns its notes between tool calls as they are. */
    private String display() {
        if ("between_tools".equals(request.path("thinking").path("type").asText())) {
            return "updates";
        }
        return model.behaviour().display(request.path("thinking").path("display").asText(null));
    }

    /** A thinking block of these tokens; hidden, it streams no text but is still signed (over the empty text). */
    private void addThinking(List<String> tokens, boolean hidden) {
        String text = hidden ? "" : String.join("", tokens);
        blocks.add(new ThinkingBlock(hidden ? List.of() : chunk(tokens, directives.chunk()),
                signatures.sign(text, model.id(), prefix)));
    }

    /** Tool calls of this round: from {@code tool@N} directives, else (round 1) by {@link ToolCallHeuristics}. */
    private List<ToolCallDirective> toolCallsForThisRound() {
        int round = round();
        if (!directives.toolsByRound().isEmpty()) {
            return directives.toolsByRound().getOrDefault(round, List.of());
        }
        if (round != 1) {
            return List.of();
        }
        return ToolCallHeuristics.choose(request, Conversation.latestUserText(request).orElse(""));
    }

    /** 1 for the first call of a turn; one more for every assistant tool round since the directive's message. */
    private int round() {
        JsonNode messages = request.path("messages");
        int directiveIndex = Conversation.latestUserTextIndex(request);
        int round = 1;
        for (int i = directiveIndex + 1; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if ("assistant".equals(message.path("role").asText()) && Conversation.hasBlock(message, "tool_use")) {
                round++;
            }
        }
        return round;
    }

    private void planToolRound(List<ToolCallDirective> calls) {
        String preamble = directives.preamble().orElseGet(() -> "I'll use "
                + String.join(" and ", calls.stream().map(ToolCallDirective::name).distinct().toList()) + ".");
        if (!preamble.isEmpty() && !preamble.equals("none")) {
            if (model.behaviour().textBetweenToolsIsThinking()) {
                // Opus 5.5 and Fable 5.x write this in a thinking block: empty at display omitted, a note at updates.
                List<String> tokens = take(Tokenizer.split(preamble));
                thinkingTokens += tokens.size();
                addThinking(tokens, display().equals("omitted"));
            } else {
                addText(take(Tokenizer.split(preamble)));
            }
            if (budget == 0) {
                stopReason = "max_tokens";
                return;
            }
        }
        for (ToolCallDirective call : calls) {
            JsonNode input = call.input().map(ReplyPlanner::parseInput).orElseGet(() -> exampleInput(call.name()));
            String json = input.toString();
            spend(Tokenizer.count(call.name()));
            List<String> jsonTokens = take(Tokenizer.split(json));
            boolean complete = jsonTokens.size() == Tokenizer.count(json);
            List<String> deltas = new ArrayList<>();
            deltas.add("");
            deltas.addAll(chunk(jsonTokens, JSON_TOKENS_PER_DELTA));
            blocks.add(new ToolUseBlock(Ids.toolUse(), call.name(), deltas, complete ? input : null));
            if (!complete) {
                stopReason = "max_tokens";
                return;
            }
        }
        stopReason = "tool_use";
    }

    private void planText() {
        if (directives.refusesOn(model.id())) {
            addText(take(Tokenizer.split("I can't help with that request.")));
            stopReason = "refusal";
            refusal = new PlannedReply.Refusal(directives.refusalCategory().orElse(null),
                    "The simulator was asked to refuse.");
            return;
        }
        String text = directives.reply().orElse(null);
        List<String> tokens;
        if (text != null) {
            tokens = Tokenizer.split(text);
        } else if (directives.tokens().isPresent()) {
            tokens = filler(FILLER, directives.tokens().get());
        } else {
            tokens = Tokenizer.split(Conversation.toolResultsSummary(request, MAX_RESULT_ECHO_CHARS)
                    .orElse(DEFAULT_REPLY));
        }
        String full = String.join("", tokens);
        int cut = -1;
        for (JsonNode sequence : request.path("stop_sequences")) {
            int at = full.indexOf(sequence.asText());
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
                stopSequence = sequence.asText();
            }
        }
        if (cut >= 0) {
            tokens = Tokenizer.split(full.substring(0, cut));
        }
        List<String> emitted = take(tokens);
        addText(emitted);
        if (emitted.size() < tokens.size()) {
            stopReason = "max_tokens";
            stopSequence = null;
        } else if (stopSequence != null) {
            spend(Tokenizer.count(stopSequence));
            stopReason = "stop_sequence";
        }
    }

    private void addText(List<String> tokens) {
        if (!tokens.isEmpty()) {
            blocks.add(new TextBlock(chunk(tokens, directives.chunk())));
        }
    }

    /** Takes as many of the tokens as the budget allows and spends them. */
    private List<String> take(List<String> tokens) {
        int n = (int) Math.min(tokens.size(), budget);
        spend(n);
        return tokens.subList(0, n);
    }

    private void spend(long tokens) {
        long spent = Math.min(tokens, budget);
        budget -= spent;
        outputTokens += spent;
    }

    private JsonNode exampleInput(String toolName) {
        for (JsonNode tool : request.path("tools")) {
            if (tool.path("name").asText().equals(toolName)) {
                return JsonSchemaExamples.example(tool.path("input_schema"));
            }
        }
        return SimJson.MAPPER.createObjectNode();
    }

    private static JsonNode parseInput(String json) {
        try {
            JsonNode node = SimJson.MAPPER.readTree(json);
            if (!(node instanceof ObjectNode)) {
                throw new IllegalArgumentException("tool input must be a JSON object: " + json);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tool input is not valid JSON: " + json);
        }
    }

    /**
     * {@code count} tokens of the sentence repeated. The text is built at once for about as many sentences as the
     * count needs and split once (doubled while short): splitting it again per added sentence made a long reply's plan
     * quadratic (seconds of the event loop for 60,000 tokens).
     */
    private static List<String> filler(String sentence, int count) {
        int perSentence = Math.max(1, Tokenizer.split(sentence.stripTrailing()).size());
        int sentences = count / perSentence + 1;
        List<String> tokens = List.of();
        while (tokens.size() < count) {
            tokens = Tokenizer.split(sentence.repeat(sentences).stripTrailing());
            sentences *= 2;
        }
        return tokens.subList(0, count);
    }

    private static List<String> chunk(List<String> tokens, int size) {
        List<String> deltas = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i += size) {
            deltas.add(String.join("", tokens.subList(i, Math.min(tokens.size(), i + size))));
        }
        return deltas;
    }
}
