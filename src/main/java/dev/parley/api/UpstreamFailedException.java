package dev.parley.api;

import dev.parley.chat.ChatEvent;

/** A one-shot chat turn that failed upstream; answered with 502 problem+json carrying the partial usage. */
final class UpstreamFailedException extends RuntimeException {

    private final ChatEvent.TurnFailed failed;

    UpstreamFailedException(ChatEvent.TurnFailed failed) {
        super(failed.failure().code().wireName(), null, false, false);
        this.failed = failed;
    }

    ChatEvent.TurnFailed failed() {
        return failed;
    }
}
