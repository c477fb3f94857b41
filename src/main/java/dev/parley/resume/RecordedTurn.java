package dev.parley.resume;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.function.Supplier;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.chat.TurnControl;
import dev.parley.chat.TurnStoppedException;

/**
 * The writing side of one resumable turn, on the replica that runs it: it keeps the turn's frames in the journal, in
 * order, within the bounds; keeps the turn running while no client reads it, for the resume grace; and stops it when
 * asked. Everything runs on the turn's context, so its fields are plain; the journal's calls are made one after the
 * other, each once the previous one completed (the store's contract), from a queue.
 */
public final class RecordedTurn {

    private static final long NONE = -1;

    private final String turnId;
    private final String caller;
    private final Instant endsBy;
    private final Context context;
    private final Vertx vertx;
    private final TurnJournals journals;
    private final ResumableTurns registry;
    private final StreamsConfig config;
    private final Queue<Supplier<Uni<Void>>> calls = new ArrayDeque<>();
    private boolean calling;
    private TurnControl control;
    /** Cancels the turn and lets go of its stream's writer: for a turn that can no longer be resumed, without client. */
    private Runnable cancel;
    /** The journal's open call completed (or failed, which leaves the turn not resumable). */
    private boolean opened;
    /** The turn's stream went out: its client knows the turn's id. */
    private boolean committed;
    private final List<Runnable> whenOpened = new ArrayList<>();
    private boolean overflowed;
    private boolean clientReading = true;
    private boolean ended;
    private long events;
    private long bytes;
    private long graceTimer = NONE;

    RecordedTurn(String turnId, String caller, Duration deadline, Context context, TurnJournals journals,
            ResumableTurns registry, StreamsConfig config) {
        this.turnId = turnId;
        this.caller = caller;
        this.endsBy = Instant.now().plus(deadline);
        this.context = context;
        this.vertx = context.owner();
        this.journals = journals;
        this.registry = registry;
        this.config = config;
    }

    public String turnId() {
        return turnId;
    }

    /**
     * The turn was started: what stops it, and what cancels it (the writer's own cancel, which also lets go of what
     * the writer holds) when it can no longer be resumed and no client reads it.
     */
    public void running(TurnControl control, Runnable cancel) {
        this.control = control;
        this.cancel = cancel;
    }

    /**
     * Opens the turn's journal as the turn starts, while its upstream call is made: by the time the first frame can go
     * out, the journal is usually there on every replica (see {@link #whenOpened}). From now on it can be stopped.
     */
    public void open() {
        registry.running(this);
        call(() -> journals.open(turnId, caller, endsBy));
        call(() -> {
            openCompleted();
            return Uni.createFrom().voidItem();
        });
    }

    /** Whether the journal's open call completed: a resume on any replica finds the turn from then on. */
    public boolean opened() {
        return opened;
    }

    /**
     * Runs {@code next} once the journal is open (at once if it is). The stream's first frame waits for it: the client
     * learns the turn's id from it, and may resume on another replica right away.
     */
    public void whenOpened(Runnable next) {
        if (opened) {
            next.run();
        } else {
            whenOpened.add(next);
        }
    }

    private void openCompleted() {
        if (opened) {
            return;
        }
        opened = true;
        List<Runnable> waiting = List.copyOf(whenOpened);
        whenOpened.clear();
        waiting.forEach(Runnable::run);
    }

    /** The turn's stream was committed (its first frame goes out now): from here on its client may resume it. */
    public void committed() {
        committed = true;
    }

    /** Whether a client that goes away can come back: the turn was committed and has not outgrown its bound. */
    public boolean resumable() {
        return committed && !overflowed;
    }

    /** The turn was refused before its stream was committed: nobody can resume it, and it is not routed stops. */
    public void refused() {
        ended = true;
        cancelGrace();
        registry.ended(this);
        call(() -> journals.overflow(turnId));
    }

    /** Keeps frames {@code firstId..lastId} just written (or that would have been written, had a client been there). */
    public void record(long firstId, long lastId, String frames, boolean last) {
        if (last) {
            ended = true;
            cancelGrace();
        }
        JournalBatch batch = new JournalBatch(firstId, lastId, frames, last);
        if (!overflowed) {
            events += lastId - firstId + 1;
            bytes += batch.bytes();
            if (events > config.maxEvents() || bytes > config.maxBytes().asLongValue()) {
                outgrown();
            }
        }
        if (overflowed && !last) {
            return;
        }
        // After an overflow the store keeps no frames, but the last batch still ends the journal: it expires after the
        // retention, not the deadline.
        call(() -> journals.append(turnId, batch));
        if (last) {
            // Stops are routed here until the last event is kept: after it there is nothing to stop.
            call(() -> {
                registry.ended(this);
                return Uni.createFrom().voidItem();
            });
        }
    }

    /** The client of the turn's own stream went away: the turn goes on for the resume grace, unless it cannot. */
    public void clientLeft() {
        if (!clientReading || ended) {
            return;
        }
        clientReading = false;
        if (!resumable()) {
            cancelled();
            return;
        }
        call(() -> journals.seen(turnId));
        armGrace(config.resumeGrace());
    }

    /** Stops the turn at once, with {@code turn_stopped}: its caller asked, here or through another replica. */
    void stop() {
        onContext(() -> {
            if (!ended && control != null) {
                control.stop(TurnStoppedException.Cause.CALLER_ASKED);
            }
        });
    }

    // ---- the grace: the turn is stopped once no client read it for resume-grace, here or on any replica

    private void armGrace(Duration wait) {
        graceTimer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> {
            graceTimer = NONE;
            checkGrace();
        });
    }

    private void checkGrace() {
        if (ended) {
            return;
        }
        if (registry.followedHere(turnId)) {
            armGrace(config.resumeGrace());
            return;
        }
        journals.state(turnId).subscribe().with(state -> onContext(() -> {
            if (ended) {
                return;
            }
            Instant seen = state.map(JournalState::seenAt).orElse(Instant.EPOCH);
            Duration left = Duration.between(Instant.now(), seen.plus(config.resumeGrace()));
            if (left.isPositive()) {
                armGrace(left);
            } else {
                control.stop(TurnStoppedException.Cause.NO_CLIENT_CAME_BACK);
            }
        }), failure -> onContext(() -> {
            // The journal cannot say whether a client came back: ask again soon rather than stop a turn being read.
            Log.warnf("turn %s: cannot read its journal to check the resume grace: %s", turnId, failure.getMessage());
            armGrace(config.redisTimeout());
        }));
    }

    /**
     * The turn is cancelled (no last event follows): nothing more is kept, and it is no longer routed stops. Also
     * what the writer calls when the client of a turn that is not resumable (any more) goes away.
     */
    public void cancelled() {
        if (ended) {
            return;
        }
        ended = true;
        cancelGrace();
        registry.ended(this);
        if (!committed) {
            // Its client never learnt its id; the journal opened for it is marked so, and expires.
            call(() -> journals.overflow(turnId));
        }
        cancel.run();
    }

    private void cancelGrace() {
        if (graceTimer != NONE) {
            vertx.cancelTimer(graceTimer);
            graceTimer = NONE;
        }
    }

    // ---- the bound

    /** The turn outgrew what one turn may keep: it stops being resumable; without a client it stops. */
    private void outgrown() {
        overflowed = true;
        Log.infof("turn %s outgrew %d events or %d bytes of kept events: it is no longer resumable", turnId,
                config.maxEvents(), config.maxBytes().asLongValue());
        call(() -> journals.overflow(turnId));
        if (!clientReading && !ended) {
            cancelled();
        }
    }

    /** A journal call failed: the turn cannot be resumed reliably from here on, so it is treated as outgrown. */
    private void journalFailed(Throwable failure) {
        if (overflowed) {
            return;
        }
        Log.warnf("turn %s: its events could not be kept (%s): it is no longer resumable", turnId,
                failure.getMessage());
        overflowed = true;
        calls.clear();
        // A failed open leaves the turn not resumable; its stream goes out all the same.
        openCompleted();
        // Best effort: a resume then learns the turn is not resumable, rather than waiting for events that never come.
        journals.overflow(turnId).subscribe().with(ignored -> {
        }, ignored -> {
        });
        if (!clientReading && !ended) {
            cancelled();
        }
        if (ended) {
            registry.ended(this);
        }
    }

    // ---- the journal's calls, one at a time, in order

    private void call(Supplier<Uni<Void>> next) {
        calls.add(next);
        if (!calling) {
            callNext();
        }
    }

    private void callNext() {
        Supplier<Uni<Void>> next = calls.poll();
        if (next == null) {
            calling = false;
            return;
        }
        calling = true;
        next.get().subscribe().with(ignored -> onContext(this::callNext), failure -> onContext(() -> {
            calling = false;
            journalFailed(failure);
        }));
    }

    private void onContext(Runnable work) {
        if (Vertx.currentContext() == context) {
            work.run();
        } else {
            context.runOnContext(ignored -> work.run());
        }
    }

    String caller() {
        return caller;
    }
}
