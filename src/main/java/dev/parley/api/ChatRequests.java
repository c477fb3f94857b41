package dev.parley.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import dev.parley.chat.ChatCommand;
import dev.parley.chat.ChatCommand.HistoryEntry;
import dev.parley.chat.ChatRejectedException;
import dev.parley.chat.ChatRejectedException.Reason;

/** Checks the shape of a {@link ChatRequest} and turns it into a {@link ChatCommand}. */
final class ChatRequests {

    private ChatRequests() {
    }

    static ChatCommand toCommand(ChatRequest request, String requestId, String caller) {
        if (request == null) {
            throw invalid("a JSON body is required");
        }
        if (request.message() == null || request.message().isBlank()) {
            throw invalid("message is required and must not be blank");
        }
        List<HistoryEntry> history = new ArrayList<>();
        List<ChatRequest.HistoryMessage> given = request.history() == null ? List.of() : request.history();
        for (int i = 0; i < given.size(); i++) {
            ChatRequest.HistoryMessage message = given.get(i);
            if (message == null) {
                throw invalid("history[" + i + "] must be an object");
            }
            ChatCommand.Role role = switch (message.role() == null ? "" : message.role()) {
                case "user" -> ChatCommand.Role.USER;
                case "assistant" -> ChatCommand.Role.ASSISTANT;
                default -> throw invalid("history[" + i + "].role must be 'user' or 'assistant'");
            };
            if (message.content() == null || message.content().isBlank()) {
                throw invalid("history[" + i + "].content must be non-blank text");
            }
            history.add(new HistoryEntry(role, message.content()));
        }
        if (request.conversationId() != null && request.conversationId().isBlank()) {
            throw invalid("conversationId must not be blank");
        }
        if (request.assistant() != null && request.assistant().isBlank()) {
            throw invalid("assistant must not be blank");
        }
        if (request.deadlineMs() != null && request.deadlineMs() < 1) {
            throw invalid("deadlineMs must be a positive number of milliseconds");
        }
        return new ChatCommand(requestId, caller, Optional.ofNullable(request.assistant()), request.message(), history,
                Optional.ofNullable(request.conversationId()), Boolean.TRUE.equals(request.startConversation()),
                request.maxTokens() == null ? OptionalInt.empty() : OptionalInt.of(request.maxTokens()),
                Optional.ofNullable(request.deadlineMs()).map(Duration::ofMillis));
    }

    private static ChatRejectedException invalid(String message) {
        return new ChatRejectedException(Reason.INVALID_REQUEST, message);
    }
}
