package dev.parley.chat;

import java.time.Duration;
import java.util.Optional;

import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.MessageRequest;

/**
 * A turn that passed every check and is ready to call the upstream.
 *
 * @param conversationId the conversation the turn will be committed to, if any (new or existing)
 * @param storedLength how many messages the conversation had when the turn began
 * @param deadline how long the whole turn may take
 */
public record PreparedTurn(String requestId, String caller, AssistantProfile profile, MessageRequest request,
        InputMessage userMessage, Optional<String> conversationId, int storedLength, Duration deadline) {
}
