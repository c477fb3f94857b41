package dev.parley.anthropic;

/**
 * How a {@link HttpStreamCall} reads its events: what an event's {@code data} becomes, which event opens the call
 * (completes its opening {@code Uni}: what came before it is held and delivered first), and which is the first
 * content (it stops the first-content timeout). The chat path opens on the first event, as it may retry a round
 * until its first text reached the client; the front door opens on the first content event, as it holds back the
 * response head, {@code message_start} and pings until then, so that everything before can still be retried.
 *
 * @param <E> the event type delivered
 */
interface StreamDecoding<E> {

    /**
     * The event of one {@code data} field, or {@code null} for one that is only activity (nothing is delivered); an
     * {@code error} event throws its {@link AnthropicException}, an unreadable one a transport failure.
     */
    E decode(byte[] data);

    /** Whether this event opens the call. */
    boolean opens(E event);

    /** Whether this event is content: the first-content limit is met. */
    boolean content(E event);

    /**
     * Whether a stream that ends before the event that opens it is open all the same (its receiver judges what it
     * got), or failed as cut off (a transport failure, which may be retried).
     */
    default boolean opensAtItsEnd() {
        return true;
    }
}
