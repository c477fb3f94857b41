package dev.parley.api;

import dev.parley.chat.ChatEvent;

/** A one-shot chat turn that failed upstream; answered with 502 problem+json carrying the partial usage. */
final class UpstreamFailedException extends RuntimeException {

    private final String turnId;
    private final ChatEvent.TurnFailed failed;

    UpstreamFailedException(String turnId, ChatEvent.TurnFailed failed) {
        super(failed.failure().code().wireName(), null, false, false);
        this.turnId = turnId;
        this.failed = failed;
    }

    /** The failed turn's id: its ledger row's key. */
    String turnId() {
        return turnId;
    }

    ChatEvent.TurnFailed failed() {
        return failed;
    }
}
