package dev.parley.usage;

/** How a turn that reached the upstream ended; a closed set, used as a metric tag and in the ledger. */
public enum TurnOutcome {
    OK("ok"),
    UPSTREAM_ERROR("upstream_error"),
    CLIENT_CANCELLED("client_cancelled"),
    INTERNAL_ERROR("internal_error"),
    SERVER_SHUTDOWN("server_shutdown"),
    BUDGET_EXHAUSTED("budget_exhausted"),
    /** A later round did not fit in the caller's rate limits. */
    CALLER_RATE_LIMITED("caller_rate_limited"),
    /** The client did not read the reply for longer than parley holds a paused stream. */
    CLIENT_TOO_SLOW("client_too_slow"),
    /** The reply was complete, but the conversation store could not save it. */
    CONVERSATION_NOT_SAVED("conversation_not_saved");

    private final String tag;

    TurnOutcome(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
