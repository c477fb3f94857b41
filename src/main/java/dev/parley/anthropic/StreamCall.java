package dev.parley.anthropic;

/**
 * A streamed call to the Messages API that has opened: the upstream answered 200 and its first event arrived (see
 * {@link MessagesClient#open}). Its events go to one {@link Receiver}, in order, followed by exactly one
 * {@link Receiver#onEnd()} or {@link Receiver#onFailure}; nothing is delivered before {@link #deliverTo}.
 * <p>
 * Confined to the Vert.x context the call was opened on (its caller's): every method must be called there, and every
 * callback of the receiver runs there. That is what lets it hold plain fields instead of atomics.
 */
public interface StreamCall {

    /** Where a call's events go. */
    interface Receiver {

        /** One decoded event (pings are not delivered: they only keep the idle timeout from firing). */
        void onEvent(StreamEvent event);

        /** The upstream ended the stream (read to its end; whether it was complete is for the caller to judge). */
        void onEnd();

        /** The call failed: an {@link AnthropicException} for an HTTP status, an {@code error} event, a timeout or a broken connection (anything else is a bug in parley). */
        void onFailure(Throwable failure);
    }

    /**
     * The upstream's {@code request-id} response header of this call, if it sent one: the id its console and support
     * know the request by.
     */
    java.util.Optional<String> upstreamRequestId();

    /** Starts delivering to the receiver, beginning with the first event. */
    void deliverTo(Receiver receiver);

    /**
     * Holds the upstream read: no event is delivered until {@link #resume}, the socket is no longer read once its
     * buffer is full, and the idle and first-content timeouts do not run (the silence is parley's own).
     */
    void pause();

    /** Delivers what was held back, then reads again. */
    void resume();

    /** Resets the request (its connection is closed, never reused half-read); nothing more is delivered. */
    void cancel();
}
