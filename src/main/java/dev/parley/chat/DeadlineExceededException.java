package dev.parley.chat;

/** The turn's deadline passed before it completed. */
public final class DeadlineExceededException extends RuntimeException {

    public DeadlineExceededException() {
        super("deadline exceeded", null, false, false);
    }
}
