package dev.parley.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import dev.parley.resume.JournalBatch;
import dev.parley.resume.ResumableTurns;

/**
 * Writes one resume of a turn ({@code GET /v1/chat/turns/{turnId}/stream}): the kept frames after the client's
 * {@code Last-Event-ID}, then each batch the turn adds, until the batch with its last event. It reads the journal
 * from a cursor (the id of the last frame written), so a frame is written once whatever wakes it (a signal that the
 * journal grew, or its own poll, which covers a signal lost on the way): frames at or before the cursor are skipped.
 * It pauses reading while the client's write queue is full. Everything runs on the request's context.
 * <p>
 * A resume ends without a last event when the turn can no longer be followed (it outgrew its bound, its events
 * expired, or its replica went away without ending it); the client's next resume is then answered with the reason.
 */
final class TurnResumeWriter implements ResumableTurns.Follower {

    private static final long NONE = -1;
    /** How often the journal is read even without a signal, and the client's presence told to the turn. */
    private static final long POLL_MILLIS = 1_000;

    private final ResumableTurns turns;
    private final String turnId;
    private final String requestId;
    private final Context context;
    private final Vertx vertx;
    private final HttpServerResponse response;
    private final ApiConfig config;
    private final MultiEmitter<? super String> handoff;
    private final long heartbeatNanos;
    private long cursor;
    private boolean reading;
    private boolean readAgain;
    private boolean over;
    private long lastWrite = System.nanoTime();
    private long pollTimer = NONE;
    private Runnable unfollow = () -> {
    };
    private Runnable leaveDrain = () -> {
    };

    TurnResumeWriter(ResumableTurns turns, String turnId, long afterId, String requestId, Context context,
            HttpServerResponse response, ApiConfig config, MultiEmitter<? super String> handoff) {
        this.turns = turns;
        this.turnId = turnId;
        this.cursor = afterId;
        this.requestId = requestId;
        this.context = context;
        this.vertx = context.owner();
        this.response = response;
        this.config = config;
        this.handoff = handoff;
        this.heartbeatNanos = config.heartbeatInterval().toNanos();
    }

    /** Commits the stream and writes what is kept, then follows the turn. Call on the request's context. */
    void start() {
        handoff.onTermination(() -> onContext(this::clientGone));
        response.setWriteQueueMaxSize(config.writeQueueBytes());
        SseEncoder.commit(response, requestId, turnId);
        unfollow = turns.follow(turnId, this);
        leaveDrain = turns.atDrainStart(() -> onContext(this::handOver));
        armPoll();
        read();
    }

    @Override
    public void wake() {
        onContext(this::read);
    }

    private void read() {
        if (over) {
            return;
        }
        if (reading || response.writeQueueFull()) {
            readAgain = true;
            return;
        }
        reading = true;
        turns.after(turnId, cursor).subscribe().with(batches -> onContext(() -> {
            reading = false;
            write(batches);
            if (readAgain && !over) {
                readAgain = false;
                read();
            }
        }), failure -> onContext(() -> {
            reading = false;
            // The next poll reads again; a store that stays away ends the resume there.
            Log.debugf("resume of turn %s could not read its journal: %s", turnId, failure.getMessage());
        }));
    }

    private void write(List<JournalBatch> batches) {
        StringBuilder frames = new StringBuilder();
        boolean last = false;
        for (JournalBatch batch : batches) {
            if (batch.lastId() <= cursor) {
                continue;
            }
            frames.append(batch.framesAfter(cursor));
            cursor = batch.lastId();
            if (batch.last()) {
                last = true;
                break;
            }
        }
        if (!frames.isEmpty()) {
            send(frames.toString());
        }
        if (last) {
            end();
        } else if (response.writeQueueFull()) {
            response.drainHandler(ignored -> read());
        }
    }

    private void send(String frames) {
        lastWrite = System.nanoTime();
        response.write(Buffer.buffer(frames.getBytes(StandardCharsets.UTF_8))).onComplete(written -> {
            if (written.failed()) {
                onContext(this::clientGone);
            }
        });
    }

    // ---- the poll: a lost signal, a turn that can no longer be followed, heartbeats, the client's presence

    private void armPoll() {
        pollTimer = vertx.setTimer(POLL_MILLIS, id -> {
            pollTimer = NONE;
            poll();
        });
    }

    private void poll() {
        if (over) {
            return;
        }
        if (System.nanoTime() - lastWrite >= heartbeatNanos) {
            send(SseEncoder.HEARTBEAT);
        }
        turns.seen(turnId).subscribe().with(ignored -> {
        }, ignored -> {
        });
        turns.state(turnId).subscribe().with(state -> onContext(() -> {
            if (over) {
                return;
            }
            if (state.isEmpty() || state.get().overflowed() || state.get().lost(Instant.now())) {
                // Nothing more will come: the stream ends without a last event, and the client's next resume learns
                // why.
                end();
                return;
            }
            if (state.get().lastId() > cursor) {
                read();
            }
            armPoll();
        }), failure -> onContext(() -> {
            if (!over) {
                armPoll();
            }
        }));
    }

    // ---- the end

    private void end() {
        over = true;
        stopAll();
        response.end();
        handoff.complete();
    }

    /** This replica is draining: the client resumes elsewhere, where the turn's events are too. */
    private void handOver() {
        if (over) {
            return;
        }
        send(SseWriter.RETRY_ELSEWHERE);
        end();
    }

    private void clientGone() {
        if (over) {
            return;
        }
        over = true;
        stopAll();
        // The turn's resume grace counts from now.
        turns.seen(turnId).subscribe().with(ignored -> {
        }, ignored -> {
        });
    }

    private void stopAll() {
        unfollow.run();
        leaveDrain.run();
        if (pollTimer != NONE) {
            vertx.cancelTimer(pollTimer);
            pollTimer = NONE;
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
