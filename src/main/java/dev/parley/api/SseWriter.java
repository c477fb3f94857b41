package dev.parley.api;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

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
import dev.parley.resume.RecordedTurn;
import dev.parley.resume.ResumableTurns;

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
 * <p>
 * <b>Resumable turns.</b> Each batch is also kept in the turn's journal ({@link RecordedTurn}), as written. When the
 * client goes away the turn is not cancelled: the writer goes on framing and keeping its events, unpaced, with nobody
 * to write them to, until the turn ends (or its resume grace passes); the client reads them through a resume. When
 * this replica starts draining and another can serve the resume, the client is handed over: its stream ends without
 * a last event, after a {@code retry:} hint.
 */
final class SseWriter implements TurnListener {

    private static final long NONE = -1;
    /** Tells an SSE client to reconnect after half a second: another replica will serve the resume. */
    static final String RETRY_ELSEWHERE = "retry: 500\n: this server is restarting: resume the turn\n\n";

    private final PreparedTurn turn;
    private final Context context;
    private final HttpServerResponse response;
    private final SseEncoder encoder;
    private final ApiConfig config;
    private final StreamMetrics metrics;
    private final String requestId;
    private final MultiEmitter<? super String> handoff;
    /** The turn's journal, for a resumable turn; null for the others. */
    private final RecordedTurn recorded;
    private final Vertx vertx;
    private final StringBuilder pending = new StringBuilder(256);
    /** The id of the first frame in {@link #pending}. */
    private long pendingFirstId;
    private final long heartbeatNanos;
    private TurnControl control;
    private boolean flushScheduled;
    /** The first frame waits for the resumable turn's journal to be open. */
    private boolean awaitingJournal;
    private boolean committed;
    private boolean lastEventPending;
    private boolean over;
    /** The client is no longer there (a resumable turn goes on without it). */
    private boolean gone;
    private boolean paused;
    private boolean askedToEnd;
    private long lastWrite = System.nanoTime();
    private long heartbeatTimer = NONE;
    private long pauseTimer = NONE;
    private Runnable leaveDrain = () -> {
    };

    private SseWriter(PreparedTurn turn, Context context, HttpServerResponse response, SseEncoder encoder,
            ApiConfig config, StreamMetrics metrics, String requestId, MultiEmitter<? super String> handoff,
            RecordedTurn recorded) {
        this.turn = turn;
        this.context = context;
        this.response = response;
        this.encoder = encoder;
        this.config = config;
        this.metrics = metrics;
        this.requestId = requestId;
        this.handoff = handoff;
        this.recorded = recorded;
        this.vertx = context.owner();
        this.heartbeatNanos = config.heartbeatInterval().toNanos();
    }

    /**
     * Runs the turn on {@code context}, writing it to {@code response}: the {@code Multi} for RESTEasy described
     * above, which carries no items. {@code resumable} when the client asked for a resumable turn.
     */
    static Multi<String> relay(ChatEngine engine, PreparedTurn turn, Context context, HttpServerResponse response,
            SseEncoder encoder, ApiConfig config, StreamMetrics metrics, String requestId,
            Optional<ResumableTurns> resumable) {
        return Multi.createFrom().emitter(handoff -> {
            RecordedTurn recorded = resumable
                    .map(turns -> turns.record(turn.turnId(), turn.caller(), turn.deadline(), context))
                    .orElse(null);
            SseWriter writer = new SseWriter(turn, context, response, encoder, config, metrics, requestId, handoff,
                    recorded);
            handoff.onTermination(writer::handoffEnded);
            writer.onContext(() -> writer.start(engine, resumable));
        });
    }

    private void start(ChatEngine engine, Optional<ResumableTurns> resumable) {
        if (over) {
            return; // the client went away before the turn could start
        }
        response.setWriteQueueMaxSize(config.writeQueueBytes());
        armHeartbeat(config.heartbeatInterval().toMillis());
        control = engine.start(turn, context, this);
        if (recorded != null) {
            recorded.running(control, () -> onContext(this::cancel));
            recorded.open();
            leaveDrain = resumable.orElseThrow().atDrainStart(() -> onContext(this::handOver));
        }
    }

    @Override
    public void onEvent(ChatEvent event) {
        if (over) {
            return;
        }
        if (pending.isEmpty()) {
            pendingFirstId = encoder.nextId();
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

    /** A stream's client (or one that resumes it) sees the question and answers through the approvals endpoint. */
    @Override
    public boolean canAskForApproval() {
        return true;
    }

    @Override
    public boolean onRefused(RuntimeException refusal) {
        if (committed || over) {
            return false;
        }
        over = true;
        stopTimers();
        leaveDrain.run();
        if (recorded != null) {
            recorded.refused();
        }
        handoff.fail(refusal);
        return true;
    }

    /**
     * Whether the stream's first frame must wait for the resumable turn's journal: the client learns the turn's id from
     * it and may resume it on another replica at once, which must find it. The journal was opened as the turn started,
     * while the upstream was called, so this rarely waits; when it does, the waiting frames go out once it is open.
     */
    private boolean awaitingJournal() {
        if (committed || recorded == null || recorded.opened()) {
            return false;
        }
        if (!awaitingJournal) {
            awaitingJournal = true;
            recorded.whenOpened(() -> onContext(() -> {
                awaitingJournal = false;
                flush();
            }));
        }
        return true;
    }

    /** Writes the pending batch: the frames made ready since the last write, in order. */
    private void flush() {
        if (over || pending.isEmpty() || awaitingJournal()) {
            return;
        }
        String frames = pending.toString();
        long firstId = pendingFirstId;
        pending.setLength(0);
        if (!committed) {
            frames = commit() + frames;
            firstId = SseEncoder.START_ID;
        }
        if (recorded != null) {
            recorded.record(firstId, encoder.nextId() - 1, frames, lastEventPending);
        }
        if (!gone) {
            write(frames);
        }
        if (lastEventPending) {
            end();
        } else if (!gone && !paused && response.writeQueueFull()) {
            pauseTurn();
        }
    }

    private void write(String frames) {
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

    /**
     * The status and headers go out with the first frame (or heartbeat): until then a refusal can be a status. Returns
     * the {@code start} frame, which goes first.
     */
    private String commit() {
        committed = true;
        if (recorded != null) {
            recorded.committed();
        }
        // The turn's id was decided before the upstream was called, so it is known before the stream's first frame.
        SseEncoder.commit(response, requestId, turn.turnId());
        return encoder.start(recorded != null);
    }

    private void end() {
        over = true;
        stopTimers();
        leaveDrain.run();
        if (gone) {
            return;
        }
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
        if (!paused && !gone && !awaitingJournal()) {
            String start = "";
            if (!committed) {
                start = commit();
                if (recorded != null) {
                    recorded.record(SseEncoder.START_ID, SseEncoder.START_ID, start, false);
                }
            }
            // A comment line: ignored by SSE parsers, but it keeps gateways from closing an idle stream.
            write(start + SseEncoder.HEARTBEAT);
        }
        armHeartbeat(config.heartbeatInterval().toMillis());
    }

    // ---- the client going away

    /** RESTEasy's end of the hand-off: after ours, nothing; before it, the client closed the connection. */
    private void handoffEnded() {
        onContext(() -> {
            if (!over && !gone) {
                clientGone();
            }
        });
    }

    private void clientGone() {
        if (recorded != null && recorded.resumable()) {
            // The turn goes on without its client, which may resume it: events are kept, no longer written or paced.
            leaveClient();
            return;
        }
        if (recorded != null && control != null) {
            recorded.cancelled(); // which calls cancel() back
        } else {
            cancel();
        }
    }

    /** Cancels the turn: no event follows, nothing more is written. */
    private void cancel() {
        over = true;
        stopTimers();
        leaveDrain.run();
        if (control != null) {
            control.cancel();
        }
    }

    private void leaveClient() {
        gone = true;
        boolean wasPaused = paused;
        stopTimers();
        if (wasPaused) {
            control.resume();
        }
        recorded.clientLeft();
    }

    /**
     * This replica is draining and another can serve a resume: the client's stream ends now, without a last event,
     * after a hint to reconnect soon; the turn goes on here, its events kept for the resume.
     */
    private void handOver() {
        if (over || gone || !committed || !recorded.resumable()) {
            return;
        }
        flush();
        if (over) {
            return;
        }
        write(RETRY_ELSEWHERE);
        response.end();
        leaveClient();
        handoff.complete();
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
