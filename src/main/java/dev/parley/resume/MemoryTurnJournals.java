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

    /** The tool calls turns wait (or waited) for answers to, by turn; expired ones are dropped by the sweep. */
    private final Map<String, Approvals> approvals = new ConcurrentHashMap<>();

    private enum ApprovalState {
        AWAITED,
        ANSWERED,
        CLOSED
    }

    /** One turn's calls awaiting approval; guarded by itself. */
    private static final class Approvals {
        private final String caller;
        private final Map<String, ApprovalState> states = new java.util.HashMap<>();
        private Instant expiresAt = Instant.MAX;

        Approvals(String caller) {
            this.caller = caller;
        }
    }

    MemoryTurnJournals(Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    /** One turn's journal; its methods are synchronized, as the turn writes while resumes read from other threads. */
    private static final class Journal {
        private final String caller;
        private final Instant endsBy;
        private final List<JournalBatch> batches = new ArrayList<>();
        /** The UTF-8 size of the batches' frames, counted as they come: a scrape of the gauge does not count them. */
        private long bytes;
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
            return new JournalState(caller, lastId, ended, overflowed, seenAt, endsBy, false);
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
                    journal.bytes += batch.bytes();
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
                journal.bytes = 0;
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
    public Uni<Void> awaitApprovals(String turnId, String caller, List<String> callIds, Duration keepFor) {
        Instant expiresAt = clock.instant().plus(keepFor);
        Approvals record = approvals.compute(turnId, (id, kept) -> kept == null || !kept.caller.equals(caller)
                || kept.expiresAt.isBefore(clock.instant()) ? new Approvals(caller) : kept);
        synchronized (record) {
            callIds.forEach(callId -> record.states.put(callId, ApprovalState.AWAITED));
            record.expiresAt = expiresAt;
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<ApprovalAnswer> answerApproval(String turnId, String caller, String callId, boolean approved) {
        Approvals record = approvals.get(turnId);
        ApprovalAnswer answer;
        if (record == null || !record.caller.equals(caller)) {
            answer = ApprovalAnswer.NOT_FOUND;
        } else {
            synchronized (record) {
                ApprovalState state = record.expiresAt.isBefore(clock.instant())
                        ? ApprovalState.CLOSED
                        : record.states.getOrDefault(callId, ApprovalState.CLOSED);
                answer = switch (state) {
                    case AWAITED -> {
                        record.states.put(callId, ApprovalState.ANSWERED);
                        yield ApprovalAnswer.DELIVERED;
                    }
                    case ANSWERED -> ApprovalAnswer.ALREADY_ANSWERED;
                    case CLOSED -> ApprovalAnswer.NOT_FOUND;
                };
            }
        }
        if (answer == ApprovalAnswer.DELIVERED) {
            signals.approvalGiven(turnId, callId, approved);
        }
        return Uni.createFrom().item(answer);
    }

    @Override
    public Uni<Void> closeApprovals(String turnId, List<String> callIds) {
        Approvals record = approvals.get(turnId);
        if (record != null) {
            synchronized (record) {
                callIds.forEach(callId -> record.states.computeIfPresent(callId,
                        (id, state) -> state == ApprovalState.AWAITED ? ApprovalState.CLOSED : state));
            }
        }
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
                bytes += journal.bytes;
            }
        }
        return new Footprint(journals.size(), bytes);
    }

    record Footprint(int journals, long frameBytes) {
    }

    /** Drops the expired journals. */
    void sweep() {
        Instant now = clock.instant();
        approvals.values().removeIf(record -> {
            synchronized (record) {
                return record.expiresAt.isBefore(now);
            }
        });
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
