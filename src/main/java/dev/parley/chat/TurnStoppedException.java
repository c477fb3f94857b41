package dev.parley.chat;

/** A resumable turn stopped before it completed: its caller asked, or no client came back for it in time. */
public final class TurnStoppedException extends RuntimeException {

    /** Why a turn was stopped; each is the code of the turn's last event. */
    public enum Cause {
        /** {@code DELETE /v1/chat/turns/{turnId}}. */
        CALLER_ASKED,
        /** No client read the turn for {@code parley.streams.resume-grace}. */
        NO_CLIENT_CAME_BACK
    }

    private final Cause cause;

    public TurnStoppedException(Cause cause) {
        super(cause == Cause.CALLER_ASKED ? "stopped at its caller's request" : "no client came back for it", null,
                false, false);
        this.cause = cause;
    }

    public Cause stopCause() {
        return cause;
    }
}
