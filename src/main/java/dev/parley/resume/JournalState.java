package dev.parley.resume;

import java.time.Instant;

/**
 * What is known of a resumable turn's journal, without its events.
 *
 * @param caller who ran the turn: the only one who may resume or stop it
 * @param lastId the id of the last event kept (0 when none yet)
 * @param ended whether the turn's last event is kept
 * @param overflowed whether the turn outgrew the bound of kept events, so it cannot be resumed
 * @param seenAt the last time a client was reading the turn (its own stream or a resume, on any replica)
 * @param endsBy when the turn's deadline passes: a turn not ended by then was lost with its replica
 * @param replicaGone whether the replica that runs the turn no longer holds its lease in the store (it was killed, or
 *        stopped before the turn ended): the turn will never end
 */
public record JournalState(String caller, long lastId, boolean ended, boolean overflowed, Instant seenAt,
        Instant endsBy, boolean replicaGone) {

    /** The turn did not end, and never will: its replica went away (as its lease or its deadline says). */
    public boolean lost(Instant now) {
        return !ended && (replicaGone || now.isAfter(endsBy));
    }
}
