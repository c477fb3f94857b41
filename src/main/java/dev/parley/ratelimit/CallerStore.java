package dev.parley.ratelimit;

import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * Where the callers' window counts live: this replica's memory, or Redis shared by every replica. Changes are applied
 * atomically, all or none, so a check and its reservation cannot be split by another replica's.
 */
interface CallerStore {

    /**
     * Applies every change, or none when a checked one would take its window past its limit; fails with
     * {@link CallerLimitsUnavailableException} when the store does not answer.
     */
    Uni<CallerWindowTotals> apply(List<CallerWindowChange> changes);
}
