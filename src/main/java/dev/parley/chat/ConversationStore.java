package dev.parley.chat;

import java.util.List;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.InputMessage;

/** Where server-side conversations live. Turns are committed whole, or not at all. */
public interface ConversationStore {

    Uni<Optional<Conversation>> find(String id);

    /**
     * Appends one completed turn's messages, atomically, if the conversation still has {@code expectedLength}
     * messages (zero for a new conversation, which is then created); otherwise fails with
     * {@link ConversationConflictException}. {@code thinking} replaces the conversation's thinking binding.
     */
    Uni<Void> commitTurn(String id, String caller, String assistant, int expectedLength,
            List<InputMessage> turn, ThinkingBinding thinking);

    /** Whether there was such a conversation. */
    Uni<Boolean> delete(String id);
}
