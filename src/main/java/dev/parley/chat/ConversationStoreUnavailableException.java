package dev.parley.chat;

import java.time.Duration;

/**
 * The conversation store did not answer: Redis refused, dropped the connection, replied with an error, or said
 * nothing within {@code parley.conversations.redis-timeout}. Before the upstream is called the API answers it with a
 * 503 {@value #CODE}; once a turn has run, it ends the turn with {@code conversation_not_saved}. The message names the
 * operation and the cause, never a conversation's content.
 */
public final class ConversationStoreUnavailableException extends RuntimeException {

    /** The problem code of the 503. */
    public static final String CODE = "conversation_store_unavailable";

    /**
     * What {@code Retry-After} says: long enough for a dropped connection to be made again, or for a readiness probe
     * to take a replica whose Redis is gone out of rotation.
     */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    ConversationStoreUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
