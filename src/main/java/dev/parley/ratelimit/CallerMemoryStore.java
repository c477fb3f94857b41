package dev.parley.ratelimit;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Uni;

/**
 * The window counts of one replica, in memory. One lock for all callers: each call is a few map operations, far
 * cheaper than the upstream call it guards. Windows past their end are swept now and then, so the map holds only
 * current windows.
 */
final class CallerMemoryStore implements CallerStore {

    private static final int SWEEP_EVERY = 1024;

    private record Count(long value, Instant expiresAt) {
    }

    private final Map<String, Count> counts = new HashMap<>();
    private final Clock clock;
    private int sinceSweep;

    CallerMemoryStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Uni<CallerWindowTotals> apply(List<CallerWindowChange> changes) {
        return Uni.createFrom().item(() -> applyNow(changes));
    }

    private synchronized CallerWindowTotals applyNow(List<CallerWindowChange> changes) {
        Instant now = clock.instant();
        if (++sinceSweep >= SWEEP_EVERY) {
            sinceSweep = 0;
            counts.values().removeIf(count -> count.expiresAt().isBefore(now));
        }
        List<Long> current = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            CallerWindowChange change = changes.get(i);
            Count count = counts.get(change.key());
            long value = count == null || count.expiresAt().isBefore(now) ? 0 : count.value();
            if (change.checked() && value + change.delta() > change.limit()) {
                current.add(value);
                for (int j = i + 1; j < changes.size(); j++) {
                    Count other = counts.get(changes.get(j).key());
                    current.add(other == null ? 0 : other.value());
                }
                return new CallerWindowTotals(i, current);
            }
            current.add(value);
        }
        List<Long> totals = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            CallerWindowChange change = changes.get(i);
            long total = current.get(i) + change.delta();
            counts.put(change.key(), new Count(total, change.expiresAt()));
            totals.add(total);
        }
        return new CallerWindowTotals(-1, totals);
    }
}
