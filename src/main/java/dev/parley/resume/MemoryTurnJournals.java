package dev.parley.resume;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.smallrye.mutiny.Uni;

/**
 * The journals of one replica, in its memory: the default, needing no server. A client must resume on the replica
 * that ran its turn. Journals are dropped once they expire (the turn's deadline plus the retention while it runs, the
 * retention after it ended), by a sweep that {@link #sweep()} runs on every {@link #open}.
 */
final class MemoryTurnJournals implements TurnJournals {

    private final Map<String, Journal> journals = new ConcurrentHashMap<>();
    private final Duration retention;
    private final Clock clock;
    private volatile Signals signals = new Signals() {
        @Override
        public void appended(String turnId) {
        }

        @Override
        public void stopAsked(String turnId) {
        }
    };

    MemoryTurnJournals(Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    /** One turn's journal; its methods are synchronized, as the turn writes while resumes read from other threads. */
    private static final class Journal {
        private final String caller;
        private final Instant endsBy;
        private final List<JournalBatch> batches = new ArrayList<>();
        private boolean ended;
        private boolean overflowed;
        private Instant seenAt;
        private Instant expiresAt;

        Journal(String caller, Instant endsBy, Instant now, Instant expiresAt) {
            this.caller = caller;
            this.endsBy = endsBy;
            this.seenAt = now;
            this.expiresAt = expiresAt;
        }

        synchronized JournalState state() {
            long lastId = batches.isEmpty() ? 0 : batches.getLast().lastId();
            return new JournalState(caller, lastId, ended, overflowed, seenAt, endsBy);
        }
    }

    @Override
    public Uni<Void> open(String turnId, String caller, Instant endsBy) {
        sweep();
        Instant now = clock.instant();
        journals.put(turnId, new Journal(caller, endsBy, now, endsBy.plus(retention)));
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> append(String turnId, JournalBatch batch) {
        Journal journal = journals.get(turnId);
        if (journal != null) {
            synchronized (journal) {
                if (!journal.overflowed) {
                    journal.batches.add(batch);
                }
                if (batch.last()) {
                    journal.ended = true;
                    journal.expiresAt = clock.instant().plus(retention);
                }
            }
            signals.appended(turnId);
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> overflow(String turnId) {
        Journal journal = journals.get(turnId);
        if (journal != null) {
            synchronized (journal) {
                journal.overflowed = true;
                journal.batches.clear();
            }
            signals.appended(turnId);
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Optional<JournalState>> state(String turnId) {
        return Uni.createFrom().item(live(turnId).map(Journal::state));
    }

    @Override
    public Uni<List<JournalBatch>> after(String turnId, long afterId) {
        return Uni.createFrom().item(live(turnId).map(journal -> {
            synchronized (journal) {
                return journal.batches.stream().filter(batch -> batch.lastId() > afterId).toList();
            }
        }).orElse(List.of()));
    }

    @Override
    public Uni<Void> seen(String turnId) {
        live(turnId).ifPresent(journal -> {
            synchronized (journal) {
                journal.seenAt = clock.instant();
            }
        });
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> askStop(String turnId) {
        signals.stopAsked(turnId);
        return Uni.createFrom().voidItem();
    }

    @Override
    public void listen(Signals signals) {
        this.signals = signals;
    }

    /** How many journals are kept, and how many bytes of frames they hold (for the bounds' tests and a gauge). */
    Footprint footprint() {
        sweep();
        long bytes = 0;
        for (Journal journal : journals.values()) {
            synchronized (journal) {
                for (JournalBatch batch : journal.batches) {
                    bytes += batch.frames().length();
                }
            }
        }
        return new Footprint(journals.size(), bytes);
    }

    record Footprint(int journals, long frameChars) {
    }

    /** Drops the expired journals. */
    void sweep() {
        Instant now = clock.instant();
        journals.values().removeIf(journal -> {
            synchronized (journal) {
                return journal.expiresAt.isBefore(now);
            }
        });
    }

    private Optional<Journal> live(String turnId) {
        Journal journal = journals.get(turnId);
        if (journal == null) {
            return Optional.empty();
        }
        synchronized (journal) {
            if (journal.expiresAt.isBefore(clock.instant())) {
                journals.remove(turnId, journal);
                return Optional.empty();
            }
        }
        return Optional.of(journal);
    }
}
