package dev.parley.anthropic;

/**
 * A streamed call to the Messages API that has opened: the upstream answered 200 and the event that opens it arrived
 * (the first event for {@link MessagesClient#open}, the first content event for {@link PassThroughClient#stream}).
 * Its events ({@code E}: typed for the chat path, raw for the front door) go to one {@link Receiver}, in order,
 * followed by exactly one {@link Receiver#onEnd()} or {@link Receiver#onFailure}; nothing is delivered before
 * {@link #deliverTo}.
 * <p>
 * Confined to the Vert.x context the call was opened on (its caller's): every method must be called there, and every
 * callback of the receiver runs there. That is what lets it hold plain fields instead of atomics.
 */
public interface StreamCall<E> {

    /** Where a call's events go. */
    interface Receiver<E> {

        /** One event, as the call decodes them (the chat path's keeps pings back: they only feed the idle timeout). */
        void onEvent(E event);

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

    /**
     * The upstream's response headers that may reach a client of the front door ({@link UpstreamReply#passes}), by
     * lower-case name.
     */
    java.util.Map<String, String> passedHeaders();

    /** Starts delivering to the receiver, beginning with the first event. */
    void deliverTo(Receiver<E> receiver);

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
