package dev.parley.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;

/**
 * A server-side conversation: the caller it belongs to, its assistant profile and its messages, kept exactly as they went to
 * and came from the API, and the prefix their thinking is bound to ({@link ThinkingBinding}; empty for a conversation
 * stored before parley kept it), so that they are always valid to send back.
 */
public record Conversation(String id, String caller, String assistant, List<InputMessage> messages,
        Instant createdAt, Instant updatedAt, Optional<ThinkingBinding> thinking) {

    public Conversation {
        messages = List.copyOf(messages);
    }

    /** What a client may read of it: role, text, and the tool calls and results of each message. */
    public List<TranscriptEntry> transcript() {
        return messages.stream().map(Conversation::entry).toList();
    }

    /** One message as clients see it; the tool lists are empty for plain text. */
    public record TranscriptEntry(String role, String text, List<ToolCallEntry> toolCalls,
            List<ToolResultEntry> toolResults) {
    }

    public record ToolCallEntry(String id, String name, JsonNode input) {
    }

    public record ToolResultEntry(String toolUseId, String content, boolean isError) {
    }

    private static TranscriptEntry entry(InputMessage message) {
        List<ToolCallEntry> calls = new ArrayList<>();
        List<ToolResultEntry> results = new ArrayList<>();
        for (ContentBlock block : message.content()) {
            if (block instanceof ContentBlock.ToolUse use) {
                calls.add(new ToolCallEntry(use.id(), use.name(), use.input()));
            } else if (block instanceof ContentBlock.ToolResult result) {
                String content = result.content() == null ? "" : ContentBlock.joinText(result.content());
                results.add(new ToolResultEntry(result.toolUseId(), content, Boolean.TRUE.equals(result.isError())));
            }
        }
        return new TranscriptEntry(message.role(), Messages.text(message), calls, results);
    }
}
