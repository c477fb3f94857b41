package dev.parley.chat;

/** Another turn was committed to the conversation while this one ran. */
public final class ConversationConflictException extends RuntimeException {

    public ConversationConflictException(String conversationId) {
        super("conversation " + conversationId + " changed during the turn", null, false, false);
    }
}
