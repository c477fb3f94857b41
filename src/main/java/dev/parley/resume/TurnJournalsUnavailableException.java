package dev.parley.resume;

/**
 * The store of resumable turns (Redis) failed or did not answer within {@code parley.streams.redis-timeout}: a resume
 * is refused (503) rather than answered from what may be a partial journal.
 */
public final class TurnJournalsUnavailableException extends RuntimeException {

    TurnJournalsUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
