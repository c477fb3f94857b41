package dev.parley.api;

import java.nio.charset.StandardCharsets;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import dev.parley.chat.ChatEngine;
import dev.parley.chat.ChatEvent;
import dev.parley.chat.PreparedTurn;
import dev.parley.chat.TurnControl;
import dev.parley.chat.TurnListener;

/**
 * The one writer of a streamed turn's response: it frames the turn's events as Server-Sent Events, writes them to the
 * Vert.x response itself, batches the frames that become ready in one turn of the event loop into one write, sends
 * heartbeats, and paces the turn to its client. Everything runs on the turn's context (the request's), so its fields
 * are plain.
 * <p>
 * <b>Why it writes the response itself.</b> RESTEasy writes and flushes each item of a {@code Multi} (a writer lookup,
 * a copy, a system call) and gives no say over demand. So the resource hands RESTEasy a {@code Multi} that carries no
 * items: it only fails, with the refusal, while the turn can still be answered with an HTTP status (problem+json
 * through the exception mappers), and completes once this writer has ended the response (RESTEasy then sees the
 * response ended and leaves it). Its cancellation (RESTEasy's close handler) is the client going away.
 * <p>
 * <b>Batching.</b> An upstream read often carries many events (a fast model, a burst after a pause, every round's end);
 * written one by one, each costs a flush. Frames are appended to a pending batch and the batch is written once the
 * event loop has finished what it is doing now, so a lone token still goes out within microseconds.
 * <p>
 * <b>Flow control.</b> After a write that leaves the connection's write queue full ({@code parley.api.write-queue-bytes}),
 * the turn is paused (its upstream read is held, see {@code StreamCall#pause}) until the queue drains; so a slow
 * client costs a bounded buffer, not a reply. A stream paused longer than {@code parley.api.max-pause} ends with
 * {@code client_too_slow}; its connection is closed if even that last event cannot be written.
 */
final class SseWriter implements TurnListener {

    private static final long NONE = -1;

    private final PreparedTurn turn;
    private final Context context;
    private final HttpServerResponse response;
    private final SseEncoder encoder;
    private final ApiConfig config;
    private final StreamMetrics metrics;
    private final String requestId;
    private final MultiEmitter<? super String> handoff;
    private final Vertx vertx;
    private final StringBuilder pending = new StringBuilder(256);
    private final long heartbeatNanos;
    private TurnControl control;
    private boolean flushScheduled;
    private boolean committed;
    private boolean lastEventPending;
    private boolean over;
    private boolean paused;
    private boolean askedToEnd;
    private long lastWrite = System.nanoTime();
    private long heartbeatTimer = NONE;
    private long pauseTimer = NONE;

    private SseWriter(PreparedTurn turn, Context context, HttpServerResponse response, SseEncoder encoder,
            ApiConfig config, StreamMetrics metrics, String requestId, MultiEmitter<? super String> handoff) {
        this.turn = turn;
        this.context = context;
        this.response = response;
        this.encoder = encoder;
        this.config = config;
        this.metrics = metrics;
        this.requestId = requestId;
        this.handoff = handoff;
        this.vertx = context.owner();
        this.heartbeatNanos = config.heartbeatInterval().toNanos();
    }

    /**
     * Runs the turn on {@code context}, writing it to {@code response}: the {@code Multi} for RESTEasy described
     * above, which carries no items.
     */
    static Multi<String> relay(ChatEngine engine, PreparedTurn turn, Context context, HttpServerResponse response,
            SseEncoder encoder, ApiConfig config, StreamMetrics metrics, String requestId) {
        return Multi.createFrom().emitter(handoff -> {
            SseWriter writer = new SseWriter(turn, context, response, encoder, config, metrics, requestId, handoff);
            handoff.onTermination(writer::handoffEnded);
            writer.onContext(() -> writer.start(engine));
        });
    }

    private void start(ChatEngine engine) {
        if (over) {
            return; // the client went away before the turn could start
        }
        response.setWriteQueueMaxSize(config.writeQueueBytes());
        armHeartbeat(config.heartbeatInterval().toMillis());
        control = engine.start(turn, context, this);
    }

    @Override
    public void onEvent(ChatEvent event) {
        if (over) {
            return;
        }
        pending.append(encoder.encode(event));
        if (event instanceof ChatEvent.TurnDone || event instanceof ChatEvent.TurnFailed) {
            lastEventPending = true;
        }
        if (pending.length() >= config.writeQueueBytes()) {
            // A burst (an upstream read of many events) does not wait for the end of the loop's turn: it may be what
            // fills the client's queue, and the pause must come before the rest of the burst is read.
            flush();
        } else if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(ignored -> {
                flushScheduled = false;
                flush();
            });
        }
    }

    @Override
    public boolean onRefused(RuntimeException refusal) {
        if (committed || over) {
            return false;
        }
        over = true;
        stopTimers();
        handoff.fail(refusal);
        return true;
    }

    /** Writes the pending batch: the frames made ready since the last write, in order. */
    private void flush() {
        if (over || pending.isEmpty()) {
            return;
        }
        write(pending.toString());
        pending.setLength(0);
        if (lastEventPending) {
            end();
        } else if (!paused && response.writeQueueFull()) {
            pauseTurn();
        }
    }

    private void write(String frames) {
        if (!committed) {
            commit();
        }
        Buffer bytes = Buffer.buffer(frames.getBytes(StandardCharsets.UTF_8));
        int length = bytes.length();
        metrics.queued(length);
        lastWrite = System.nanoTime();
        response.write(bytes).onComplete(written -> {
            metrics.queued(-length);
            if (written.failed() && !over) {
                clientGone();
            }
        });
    }

    /** The status and headers go out with the first frame (or heartbeat): until then a refusal can be a status. */
    private void commit() {
        committed = true;
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", SseEncoder.MEDIA_TYPE)
                .putHeader("Cache-Control", "no-cache")
                // Tells nginx-style proxies not to buffer the stream.
                .putHeader("X-Accel-Buffering", "no")
                .putHeader(RequestIds.HEADER, requestId)
                // Decided before the upstream is called, so known before the stream's first frame.
                .putHeader(SseEncoder.TURN_ID_HEADER, turn.turnId());
    }

    private void end() {
        over = true;
        stopTimers();
        if (askedToEnd && response.writeQueueFull()) {
            // A client too slow to take even its last event: its connection is closed rather than held.
            response.reset();
        } else {
            response.end();
        }
        handoff.complete();
    }

    // ---- pacing

    private void pauseTurn() {
        paused = true;
        metrics.paused(1);
        control.pause();
        response.drainHandler(ignored -> resumeTurn());
        pauseTimer = vertx.setTimer(Math.max(1, config.maxPause().toMillis()), id -> {
            pauseTimer = NONE;
            if (paused && !over) {
                askedToEnd = true;
                control.endTooSlow(config.maxPause());
            }
        });
    }

    private void resumeTurn() {
        if (!paused || over) {
            return;
        }
        unpause();
        control.resume();
    }

    private void unpause() {
        paused = false;
        metrics.paused(-1);
        vertx.cancelTimer(pauseTimer);
        pauseTimer = NONE;
    }

    // ---- heartbeats: one timer per stream, set again for what is left of the interval when something was written

    private void armHeartbeat(long millis) {
        heartbeatTimer = vertx.setTimer(Math.max(1, millis), id -> heartbeat());
    }

    private void heartbeat() {
        heartbeatTimer = NONE;
        if (over) {
            return;
        }
        long silentFor = System.nanoTime() - lastWrite;
        if (silentFor < heartbeatNanos) {
            armHeartbeat((heartbeatNanos - silentFor) / 1_000_000);
            return;
        }
        if (!paused) {
            // A comment line: ignored by SSE parsers, but it keeps gateways from closing an idle stream.
            write(SseEncoder.HEARTBEAT);
        }
        armHeartbeat(config.heartbeatInterval().toMillis());
    }

    // ---- the client going away

    /** RESTEasy's end of the hand-off: after ours, nothing; before it, the client closed the connection. */
    private void handoffEnded() {
        onContext(() -> {
            if (!over) {
                clientGone();
            }
        });
    }

    private void clientGone() {
        over = true;
        stopTimers();
        if (control != null) {
            control.cancel();
        }
    }

    private void stopTimers() {
        vertx.cancelTimer(heartbeatTimer);
        heartbeatTimer = NONE;
        if (paused) {
            unpause();
        }
    }

    private void onContext(Runnable work) {
        if (Vertx.currentContext() == context) {
            work.run();
        } else {
            context.runOnContext(ignored -> work.run());
        }
    }
}
