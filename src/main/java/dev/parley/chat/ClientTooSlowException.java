package dev.parley.chat;

import java.time.Duration;

/** The client read nothing of the reply for longer than a stream may stay paused: the turn is stopped. */
public final class ClientTooSlowException extends RuntimeException {

    public ClientTooSlowException(Duration pausedFor) {
        super("the client read nothing for " + pausedFor.toMillis() + " ms", null, false, false);
    }
}
