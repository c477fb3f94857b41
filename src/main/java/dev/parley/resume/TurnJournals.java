package dev.parley.resume;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

/**
 * Where the events of resumable turns are kept, in order, with their ids, for as long as each turn runs plus
 * {@code parley.streams.retention}; and how replicas tell each other that a turn has new events or is to stop. One
 * writer per turn (the replica that runs it) calls {@link #open}, then {@link #append} in order, each call after the
 * previous one completed. Every key a store keeps expires by itself, so a replica that dies leaves nothing behind for
 * longer than the turn's deadline plus the retention.
 */
public interface TurnJournals {

    /** Starts the journal of a turn run by {@code caller}, to be kept until {@code endsBy} plus the retention. */
    Uni<Void> open(String turnId, String caller, Instant endsBy);

    /**
     * Keeps a batch of the turn's frames, after those kept before, and tells every replica's {@link Signals} that the
     * turn has new events. After the batch with the last event the journal is kept for the retention from now. After
     * {@link #overflow} no frames are kept, but the batch with the last event still ends the journal.
     */
    Uni<Void> append(String turnId, JournalBatch batch);

    /** The turn outgrew its bound: its kept events are dropped, and a resume of it is refused from now on. */
    Uni<Void> overflow(String turnId);

    /** The state of the turn's journal, empty when there is none (unknown, or expired). */
    Uni<Optional<JournalState>> state(String turnId);

    /** The kept batches holding events after {@code afterId}, in order (the first may begin before it). */
    Uni<List<JournalBatch>> after(String turnId, long afterId);

    /** A client is reading the turn now (on this replica): the turn's resume grace counts from now. */
    Uni<Void> seen(String turnId);

    /** Asks whichever replica runs the turn to stop it (through {@link Signals#stopAsked}). */
    Uni<Void> askStop(String turnId);

    /**
     * Whether a stop of the turn was asked, for a replica told that it {@link Signals#mayHaveMissed} the signal. A
     * store whose signals cannot be missed keeps none (false).
     */
    default Uni<Boolean> stopWasAsked(String turnId) {
        return Uni.createFrom().item(false);
    }

    /**
     * Records that the turn of {@code caller} waits for answers to these tool calls, for {@code keepFor} at most
     * (the record expires by itself after it). Calls of an earlier round of the turn stay as they were.
     */
    Uni<Void> awaitApprovals(String turnId, String caller, List<String> callIds, Duration keepFor);

    /**
     * Gives the caller's answer to a call the turn waits for, and tells every replica's {@link Signals} (through
     * {@link Signals#approvalGiven}). Each call is answered once.
     */
    Uni<ApprovalAnswer> answerApproval(String turnId, String caller, String callId, boolean approved);

    /** The turn no longer waits for these calls: those not answered yet can no longer be answered. */
    Uni<Void> closeApprovals(String turnId, List<String> callIds);

    /**
     * The answers given to these calls of the turn (approved: true), for a replica told that it
     * {@link Signals#mayHaveMissed} their signals; calls not answered are absent. A store whose signals cannot be
     * missed keeps none.
     */
    default Uni<Map<String, Boolean>> approvalsGiven(String turnId, List<String> callIds) {
        return Uni.createFrom().item(Map.of());
    }

    /** Where this replica hears of new events and of stop requests; set once, at start-up. */
    void listen(Signals signals);

    /** Stops listening, and lets go of what the store holds for this replica: at the application's stop. */
    default void close() {
    }

    /** What an answer to a tool call awaiting approval found. */
    enum ApprovalAnswer {
        /** The call waited for it: the answer goes to the turn. */
        DELIVERED,
        /** The call was answered before. */
        ALREADY_ANSWERED,
        /** No call of this caller's turn waits for an answer (unknown turn or call, another caller's, closed). */
        NOT_FOUND
    }

    /** What a replica hears from the store. Called on any thread. */
    interface Signals {

        /** The turn has new events (or ended, or overflowed). */
        void appended(String turnId);

        /** Someone asked for the turn to stop. */
        void stopAsked(String turnId);

        /** The caller answered a tool call the turn waits for. */
        default void approvalGiven(String turnId, String callId, boolean approved) {
        }

        /**
         * Signals may have been lost (the replica's subscription was gone or deaf, and hears again): what they would
         * have said about the turns running here is to be asked of the store ({@link #stopWasAsked},
         * {@link #approvalsGiven}).
         */
        default void mayHaveMissed() {
        }
    }
}
