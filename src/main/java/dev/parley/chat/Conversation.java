package dev.parley.chat;

import java.time.Instant;
import java.util.List;

import dev.parley.anthropic.InputMessage;

/**
 * A server-side conversation: the assistant profile it belongs to and its messages, kept exactly as they went to
 * and came from the API, so that they are always valid to send back.
 */
public record Conversation(String id, String assistant, List<InputMessage> messages, Instant createdAt,
        Instant updatedAt) {

    public Conversation {
        messages = List.copyOf(messages);
    }

    /** What a client may read of it: role and text of each message. */
    public List<TranscriptEntry> transcript() {
        return messages.stream().map(message -> new TranscriptEntry(message.role(), Messages.text(message)))
                .toList();
    }

    /** One message as clients see it. */
    public record TranscriptEntry(String role, String text) {
    }
}
