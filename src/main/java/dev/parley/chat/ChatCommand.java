package dev.parley.chat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One chat turn as asked for: the new user message, and either the prior history (stateless clients) or a
 * server-side conversation to continue or start, on behalf of {@code caller}. {@code deadline} is the client's own,
 * capped by configuration.
 */
public record ChatCommand(String requestId, String caller, Optional<String> assistant, String message,
        List<HistoryEntry> history,
        Optional<String> conversationId, boolean startConversation, OptionalInt maxTokens,
        Optional<Duration> deadline) {

    public ChatCommand {
        history = List.copyOf(history);
    }

    /** A prior message sent by the client. */
    public record HistoryEntry(Role role, String text) {
    }

    /** Who said it. */
    public enum Role {
        USER,
        ASSISTANT
    }
}
