package dev.parley.frontdoor;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.parley.ratelimit.CallerHold;

/**
 * One front-door message, from its admission to its ledger row: who asked for which model, when, by when it must be
 * answered, and whether the upstream was called (from then on it may bill, so the message is metered however it
 * ends). Whether it was sent is set on the thread that writes the request and read on the request's context, hence
 * volatile; nothing else changes. It keeps nothing of the parsed body: a large request's tree is garbage once admitted,
 * and only its bytes are held, for the retries.
 */
final class MessageExchange {

    private final String turnId = UUID.randomUUID().toString();
    private final String requestId;
    private final String caller;
    private final String model;
    private final boolean streamed;
    private final Instant at = Instant.now();
    private final long startNanos = System.nanoTime();
    private final long deadlineNanos;
    private volatile boolean sent;
    /** One row per message, even when its client leaves while its answer's row is being written. */
    private final AtomicBoolean metered = new AtomicBoolean();
    private volatile Optional<CallerHold> callerHold = Optional.empty();

    MessageExchange(String requestId, String caller, String model, boolean streamed, Duration deadline) {
        this.requestId = requestId;
        this.caller = caller;
        this.model = model;
        this.streamed = streamed;
        this.deadlineNanos = startNanos + deadline.toNanos();
    }

    /** Parley's id of the message: the key of its ledger row and of its budget hold. */
    String turnId() {
        return turnId;
    }

    String requestId() {
        return requestId;
    }

    String caller() {
        return caller;
    }

    /** The model the client named. */
    String model() {
        return model;
    }

    /** Whether the client asked for a streamed answer ({@code "stream": true}). */
    boolean streamed() {
        return streamed;
    }

    Instant at() {
        return at;
    }

    /** Since the message was admitted. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** What is left of the message's deadline (negative once it has passed). */
    Duration remaining() {
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    /** Runs just before a request is written upstream. */
    void sending() {
        sent = true;
    }

    /** Whether the upstream was called at least once. */
    boolean sent() {
        return sent;
    }

    /** Set once at admission, on the request's context, before the upstream is called; read when it is metered. */
    void limitedBy(CallerHold hold) {
        callerHold = Optional.of(hold);
    }

    /** What the message holds of its caller's rate limits, if the caller has any. */
    Optional<CallerHold> callerHold() {
        return callerHold;
    }

    /** True the first time only: whoever gets it meters the message. */
    boolean meter() {
        return metered.compareAndSet(false, true);
    }
}
