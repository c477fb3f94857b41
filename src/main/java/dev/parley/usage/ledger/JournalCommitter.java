package dev.parley.usage.ledger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;

/**
 * Group commit of ledger rows to the {@link LedgerJournal}: one thread takes every row submitted since its
 * last sync, writes them in one append and syncs once, then completes their futures. Turns that end while a sync is
 * running share the next one, so the cost of a sync is paid per group, not per turn, and no turn waits for more than
 * the sync in progress plus its own.
 *
 * <p>
 * When an append fails (a full disk, a journal that cannot be created), the turns still end: their futures complete
 * all the same, the failure is logged and counted ({@code parley.ledger.journal.failures}), and the rows are handed
 * to {@code notJournalled}, which keeps them in memory for the database writer.
 */
final class JournalCommitter {

    private record Submitted(LedgerRow row, CompletableFuture<Void> durable, long submittedNanos) {
    }

    private final LedgerJournal journal;
    private final Consumer<List<LedgerRow>> notJournalled;
    private final IntConsumer synced;
    private final LinkedBlockingQueue<Submitted> queue = new LinkedBlockingQueue<>();
    private final Timer commit;
    private final Counter failures;
    private volatile boolean stopping;
    /** Whether the last append failed: the ERROR is logged once per spell of failures. */
    private volatile boolean failing;
    private Thread thread;

    JournalCommitter(LedgerJournal journal, Consumer<List<LedgerRow>> notJournalled, IntConsumer synced,
            MeterRegistry registry) {
        this.journal = journal;
        this.notJournalled = notJournalled;
        this.synced = synced;
        this.commit = Timer.builder("parley.ledger.journal.commit")
                .description("From a turn's end to its ledger row synced to the journal (the wait before the last "
                        + "event)")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.failures = Counter.builder("parley.ledger.journal.failures")
                .description("Journal appends that failed (e.g. a full disk); their rows wait in memory instead")
                .register(registry);
    }

    void start() {
        // A platform thread of its own: a sync blocks it for milliseconds, and it must not wait for a carrier
        // behind other virtual threads when a group is ready.
        thread = Thread.ofPlatform().daemon().name("usage-ledger-journal").start(this::run);
    }

    /**
     * Submits a row; the stage completes (never exceptionally, on the journal's thread) once the row is synced to
     * the journal, or once it was handed to memory because the journal could not be written. After {@link #stop},
     * the row is appended on the calling thread.
     */
    CompletionStage<Void> submit(LedgerRow row) {
        Submitted submitted = new Submitted(row, new CompletableFuture<>(), System.nanoTime());
        queue.add(submitted);
        if (stopping) {
            // The thread may be gone: whatever is queued is written here (appends are serialized by the journal).
            commitQueued();
        }
        return submitted.durable();
    }

    /** Writes what was submitted and stops the thread; later rows are written by their callers. */
    void stop() {
        stopping = true;
        if (thread != null) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        commitQueued();
    }

    private void commitQueued() {
        List<Submitted> left = new ArrayList<>();
        queue.drainTo(left);
        commit(left);
    }

    private void run() {
        // Never interrupted: an interrupt during a write would close the journal's FileChannel.
        List<Submitted> group = new ArrayList<>();
        while (!stopping) {
            try {
                Submitted first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            queue.drainTo(group);
            commit(group);
            group.clear();
        }
    }

    private void commit(List<Submitted> group) {
        if (group.isEmpty()) {
            return;
        }
        List<LedgerRow> rows = new ArrayList<>(group.size());
        for (Submitted submitted : group) {
            rows.add(submitted.row());
        }
        try {
            journal.append(rows);
            synced.accept(rows.size());
            if (failing) {
                failing = false;
                Log.info("the usage ledger journal can be written again");
            }
        } catch (IOException | RuntimeException e) {
            failures.increment();
            // Once per failure spell at ERROR (a full disk fails every append); the counter counts them all.
            if (!failing) {
                Log.errorf("cannot write usage ledger rows to the journal (%s); until it can be written again, "
                        + "rows wait in memory for the database, and a crash before they are stored loses them",
                        e.toString());
            } else {
                Log.debugf("journal append of %d row(s) failed again: %s", rows.size(), e.toString());
            }
            failing = true;
            notJournalled.accept(rows);
        }
        long now = System.nanoTime();
        for (Submitted submitted : group) {
            commit.record(now - submitted.submittedNanos(), TimeUnit.NANOSECONDS);
            submitted.durable().complete(null);
        }
    }
}
