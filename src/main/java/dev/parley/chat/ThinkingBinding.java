package dev.parley.chat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.ToolDefinition;

/**
 * Which of a stored conversation's thinking blocks may still be sent back. The API binds a thinking block to the model
 * and the prompt prefix that produced it (system prompt, tools, earlier messages) and answers 400 when one comes back
 * after that prefix changed, as it does when a profile's system prompt, tools or model were reconfigured between two
 * turns. A conversation therefore keeps the fingerprint of the prefix its thinking was made under and the index from
 * which its messages' thinking is valid; when the fingerprint differs, the earlier messages go out without their
 * thinking blocks (the API allows omitting an earlier turn's thinking) and the binding starts again at the new turn.
 *
 * @param fingerprint the prefix the thinking from {@code thinkingFrom} on was made under
 * @param thinkingFrom messages before this index are sent without thinking
 */
public record ThinkingBinding(String fingerprint, int thinkingFrom) {

    /**
     * The fingerprint of what a request puts before its messages: model, system prompt and tools (their cache
     * breakpoints left out, as they change what is cached, not what the model saw).
     */
    static String fingerprint(String model, List<ContentBlock.Text> system, List<ToolDefinition> tools) {
        StringBuilder prefix = new StringBuilder(model).append('\u0000');
        system.forEach(block -> prefix.append(block.text()).append('\u0000'));
        prefix.append('\u0001');
        {
            for (ToolDefinition tool : tools) {
                prefix.append(tool.name()).append('\u0000').append(tool.description()).append('\u0000')
                        .append(tool.inputSchema()).append('\u0000');
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(prefix.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The binding of the turn about to run on {@code stored} messages under {@code fingerprint}: unchanged when the
     * conversation's prefix is the same, else starting at the new turn.
     */
    static ThinkingBinding forTurn(Conversation stored, String fingerprint) {
        return stored.thinking().filter(binding -> binding.fingerprint().equals(fingerprint))
                .orElse(new ThinkingBinding(fingerprint, stored.messages().size()));
    }

    /** The messages as they may be sent: those before {@code thinkingFrom} without their thinking blocks. */
    List<InputMessage> replayable(List<InputMessage> messages) {
        List<InputMessage> sent = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            InputMessage message = messages.get(i);
            sent.add(i < thinkingFrom ? withoutThinking(message) : message);
        }
        return sent;
    }

    static InputMessage withoutThinking(InputMessage message) {
        List<ContentBlock> kept = message.content().stream()
                .filter(block -> !(block instanceof ContentBlock.Thinking)
                        && !(block instanceof ContentBlock.RedactedThinking))
                .toList();
        if (kept.size() == message.content().size()) {
            return message;
        }
        // An assistant message of thinking alone is not produced by a completed turn; keep the role's place anyway.
        return new InputMessage(message.role(), kept.isEmpty() ? List.of(new ContentBlock.Text("…")) : kept);
    }
}
