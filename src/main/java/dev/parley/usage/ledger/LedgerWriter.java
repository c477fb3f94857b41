package dev.parley.usage.ledger;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Moves ledger rows from the journal into the database, on one virtual thread, in JDBC batches: it reads the journal
 * from where it last stored (from its oldest segment at start-up, so whatever an earlier process left is replayed),
 * inserts, and only then moves on and lets the journal delete what it stored. The database is never on a turn's
 * path, so a slow, refusing or hung database delays only this thread (each call is bounded by the datasource's
 * timeouts); rows wait in the journal meanwhile. Inserts ignore a turn already stored (its rounds in
 * {@code usage_ledger_round} too), so a replay never duplicates.
 * Storing a turn's row also deletes its budget reservation: its actual cost replaces it.
 *
 * <p>
 * Rows the journal could not take ({@link #keepInMemory}) are inserted first; beyond {@code buffer-size} of them a
 * row is dropped, logged and counted ({@code parley.ledger.rows.lost}).
 */
final class LedgerWriter {

    private static final String INSERT = "INSERT INTO usage_ledger (turn_id, request_id, occurred_at, caller, assistant, "
            + "conversation_id, model, outcome, rounds, input_tokens, output_tokens, output_tokens_final, "
            + "cache_read_input_tokens, cache_write_5m_input_tokens, cache_write_1h_input_tokens, cost_usd, "
            + "time_to_first_token_ms, duration_ms, thinking_tokens, saved_usd, served_models, stop_reason, "
            + "stop_details, service_tier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            + "?) ON CONFLICT DO NOTHING";
    /** A turn's rounds, numbered from 1; a replayed turn's rounds are there already and are skipped like its row. */
    private static final String INSERT_ROUND = "INSERT INTO usage_ledger_round (turn_id, round, upstream_request_id, "
            + "message_id, served_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    /** A turn's budget reservation ends when its row is stored: in the same transaction, so spend is never lost. */
    private static final String SETTLE = "DELETE FROM budget_reservation WHERE turn_id = ?";

    private final LedgerConfig config;
    private final AgroalDataSource database;
    private final LedgerJournal journal;
    private final BlockingQueue<LedgerRow> memory;
    private final Semaphore wake = new Semaphore(0);
    /** Rows of the journal not read and stored yet: found at start plus appended since, less stored. */
    private final AtomicLong journalled = new AtomicLong();
    private final Counter lost;
    private volatile boolean stopping;
    private volatile LedgerJournal.Position position;
    private Thread thread;

    LedgerWriter(LedgerConfig config, AgroalDataSource database, LedgerJournal journal, MeterRegistry registry) {
        this.config = config;
        this.database = database;
        this.journal = journal;
        this.memory = new ArrayBlockingQueue<>(config.bufferSize());
        this.journalled.set(journal.rowsAtStart());
        this.position = journal.oldest();
        this.lost = Counter.builder("parley.ledger.rows.lost")
                .description("Ledger rows dropped: the journal could not be written and the memory buffer was full")
                .register(registry);
    }

    void start() {
        if (journal.rowsAtStart() > 0) {
            Log.infof("usage ledger: %d row(s) found in the journal %s are replayed into the database (a row "
                    + "already there is skipped)", journal.rowsAtStart(), config.journal());
        }
        thread = Thread.ofVirtual().name("usage-ledger-writer").start(this::run);
    }

    /** Rows not yet in the database: in the journal or in memory. */
    long pending() {
        return journalled.get() + memory.size();
    }

    /** New rows are synced to the journal. */
    void synced(int rows) {
        journalled.addAndGet(rows);
        wake.release();
    }

    /** Rows the journal could not take: they wait in memory, which a crash loses. */
    void keepInMemory(List<LedgerRow> rows) {
        for (LedgerRow row : rows) {
            if (!memory.offer(row)) {
                lost.increment();
                Log.errorf("usage ledger row of turn %s lost: the journal cannot be written and %d rows already "
                        + "wait in memory", row.turnId(), config.bufferSize());
            }
        }
        wake.release();
    }

    /**
     * Lets the writer store what it can within {@code parley.ledger.shutdown-timeout}; what is left stays in the
     * journal for the next start, and the journal is closed (and deleted if the writer stored everything).
     */
    void stop() {
        stopping = true;
        wake.release();
        boolean done = false;
        try {
            done = thread == null || thread.join(config.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!done) {
            Log.warnf("the usage ledger did not store everything in time; %d row(s) wait in the journal %s",
                    pending(), config.journal());
        }
        List<LedgerRow> inMemory = new ArrayList<>();
        memory.drainTo(inMemory);
        if (!inMemory.isEmpty()) {
            try {
                journal.append(inMemory);
            } catch (IOException e) {
                lost.increment(inMemory.size());
                Log.errorf("usage ledger: %d row(s) held in memory are lost at shutdown: %s", inMemory.size(),
                        e.toString());
            }
        }
        journal.close(done ? position : new LedgerJournal.Position(-1, -1));
    }

    private void run() {
        boolean databaseUp = true;
        while (true) {
            boolean worked;
            try {
                worked = storeFromMemory() | storeFromJournal();
                if (!databaseUp) {
                    Log.info("usage ledger database answers again; journalled rows are being stored");
                    databaseUp = true;
                }
            } catch (SQLException | RuntimeException | AssertionError e) {
                // AssertionError too: with assertions on, the PostgreSQL driver asserts on a connection cut under it.
                if (databaseUp) {
                    Log.warnf("usage ledger database unavailable (%s); rows wait in the journal %s", e.getMessage(),
                            config.journal());
                    databaseUp = false;
                }
                if (stopping) {
                    return;
                }
                pause(config.retryInterval().toMillis());
                continue;
            }
            if (!worked) {
                if (stopping) {
                    return;
                }
                pause(config.flushInterval().toMillis());
            }
        }
    }

    private void pause(long millis) {
        try {
            if (wake.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean storeFromMemory() throws SQLException {
        // Looked at, not taken: a failed insert leaves the rows where they were (only this thread takes them).
        List<LedgerRow> batch = memory.stream().limit(config.batchSize()).toList();
        if (batch.isEmpty()) {
            return false;
        }
        insert(batch);
        for (int i = 0; i < batch.size(); i++) {
            memory.poll();
        }
        return true;
    }

    private boolean storeFromJournal() throws SQLException {
        LedgerJournal.Chunk chunk = journal.read(position, config.batchSize());
        if (!chunk.rows().isEmpty()) {
            insert(chunk.rows());
            journalled.addAndGet(-chunk.rows().size());
        }
        if (chunk.next().equals(position)) {
            return false;
        }
        position = chunk.next();
        journal.release(position);
        return true;
    }

    private void insert(List<LedgerRow> rows) throws SQLException {
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT);
                    PreparedStatement insertRound = connection.prepareStatement(INSERT_ROUND);
                    PreparedStatement settle = connection.prepareStatement(SETTLE)) {
                boolean anyRound = false;
                for (LedgerRow row : rows) {
                    insert.setString(1, row.turnId());
                    insert.setString(2, row.requestId());
                    insert.setTimestamp(3, Timestamp.from(row.at()));
                    insert.setString(4, row.caller());
                    insert.setString(5, row.assistant());
                    insert.setString(6, row.conversationId());
                    insert.setString(7, row.model());
                    insert.setString(8, row.outcome());
                    insert.setInt(9, row.rounds());
                    insert.setLong(10, row.inputTokens());
                    insert.setLong(11, row.outputTokens());
                    insert.setBoolean(12, row.outputTokensFinal());
                    insert.setLong(13, row.cacheReadInputTokens());
                    insert.setLong(14, row.cacheWrite5mInputTokens());
                    insert.setLong(15, row.cacheWrite1hInputTokens());
                    insert.setBigDecimal(16, row.costUsd());
                    if (row.timeToFirstTokenMs() == null) {
                        insert.setNull(17, Types.BIGINT);
                    } else {
                        insert.setLong(17, row.timeToFirstTokenMs());
                    }
                    insert.setLong(18, row.durationMs());
                    insert.setLong(19, row.thinkingTokens());
                    insert.setBigDecimal(20, row.savedUsd());
                    insert.setString(21, row.servedModels());
                    insert.setString(22, row.stopReason());
                    insert.setString(23, row.stopDetails());
                    insert.setString(24, row.serviceTier());
                    insert.addBatch();
                    for (int round = 0; round < row.upstreamRounds().size(); round++) {
                        LedgerRow.RoundRow upstream = row.upstreamRounds().get(round);
                        insertRound.setString(1, row.turnId());
                        insertRound.setInt(2, round + 1);
                        insertRound.setString(3, upstream.upstreamRequestId());
                        insertRound.setString(4, upstream.messageId());
                        insertRound.setString(5, upstream.servedBy());
                        insertRound.addBatch();
                        anyRound = true;
                    }
                    settle.setString(1, row.turnId());
                    settle.addBatch();
                }
                insert.executeBatch();
                // After the turns' rows: a round refers to its turn.
                if (anyRound) {
                    insertRound.executeBatch();
                }
                settle.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException | AssertionError e) {
                try {
                    connection.rollback();
                } catch (SQLException | RuntimeException | AssertionError rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }
}
