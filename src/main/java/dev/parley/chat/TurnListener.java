package dev.parley.chat;

/**
 * What a running turn tells the one who asked for it (the SSE writer, or the one-shot endpoint). Every call comes on
 * the turn's Vert.x context, the one given to {@link ChatEngine#start}.
 */
public interface TurnListener {

    /**
     * One event of the turn, in order. The last is a {@link ChatEvent.TurnDone} or a {@link ChatEvent.TurnFailed},
     * and nothing follows it, unless the turn was cancelled (then nothing ends it) or refused.
     */
    void onEvent(ChatEvent event);

    /**
     * The turn was refused before its upstream call was made (the concurrency limit's queue is full). Returns whether
     * the refusal can still be answered as it is (an HTTP status, as nothing was sent yet): then nothing else comes.
     * Otherwise the turn ends with a {@code TurnFailed} event instead.
     */
    boolean onRefused(RuntimeException refusal);

    /**
     * Whether a {@link ChatEvent.ToolApprovalAsked} reaches someone who can answer it. When not (one JSON response,
     * sent once the turn is over), a call that needs approval is treated as denied without asking.
     */
    default boolean canAskForApproval() {
        return false;
    }
}
