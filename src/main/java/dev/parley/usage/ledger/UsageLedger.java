package dev.parley.usage.ledger;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.parley.usage.UsageRecord;

/**
 * The durable usage ledger: one row per turn that reached the upstream. {@link #append} only queues the row; a
 * virtual thread writes queued rows in JDBC batches. When the database fails, rows go to the local journal, which is
 * replayed at start-up and as soon as the database answers again; inserts ignore a turn already stored, so a replay
 * never duplicates. Storing a turn's row also deletes its budget reservation: its actual cost replaces it. {@code parley.ledger.pending} counts rows not yet in the database.
 */
@ApplicationScoped
public class UsageLedger {

    private static final String INSERT = "INSERT INTO usage_ledger (turn_id, request_id, occurred_at, caller, assistant, "
            + "conversation_id, model, outcome, rounds, input_tokens, output_tokens, output_tokens_final, "
            + "cache_read_input_tokens, cache_write_5m_input_tokens, cache_write_1h_input_tokens, cost_usd, "
            + "time_to_first_token_ms, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT DO NOTHING";
    /** A turn's budget reservation ends when its row is stored: in the same transaction, so spend is never lost. */
    private static final String SETTLE = "DELETE FROM budget_reservation WHERE turn_id = ?";

    private final LedgerConfig config;
    private final AgroalDataSource database;
    private final LedgerJournal journal;
    private final BlockingQueue<LedgerRow> queue;
    /** Rows the writer has taken from the queue and not yet stored or journalled. */
    private volatile int inFlight;
    private volatile boolean stopping;
    private Thread writer;

    UsageLedger(LedgerConfig config, ObjectMapper json, MeterRegistry registry, LedgerDatabase database) {
        this.config = config;
        this.database = database.dataSource();
        this.journal = new LedgerJournal(config.journalFile(), json);
        this.queue = new ArrayBlockingQueue<>(config.bufferSize());
        Gauge.builder("parley.ledger.pending", this, UsageLedger::pending)
                .description("Usage ledger rows not yet in the database (memory buffer and journal)")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        writer = Thread.ofVirtual().name("usage-ledger-writer").start(this::run);
    }

    /**
     * Queues the row of an ended turn; never blocks. Should the buffer be full (the writer stalled) or the writer be
     * stopping, the row goes straight to the journal (a short file append) rather than being lost.
     */
    public void append(UsageRecord record) {
        LedgerRow row = LedgerRow.of(record);
        if (stopping || !queue.offer(row)) {
            journal.append(List.of(row));
        }
    }

    /**
     * Sums the stored turns of a query, grouped. Blocking JDBC: call it off the event loop. Rows still in the buffer
     * or the journal are not counted yet.
     */
    public List<UsageGroup> summarize(UsageQuery query) throws SQLException {
        String key = query.groupBy().column();
        String sql = "SELECT " + key + " AS group_key, COUNT(*), SUM(input_tokens), SUM(output_tokens), "
                + "SUM(cache_read_input_tokens), SUM(cache_write_5m_input_tokens), SUM(cache_write_1h_input_tokens), "
                + "SUM(cost_usd), SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) FROM usage_ledger "
                + "WHERE occurred_at >= ? AND occurred_at < ?" + (query.caller().isPresent() ? " AND caller = ?" : "")
                + " GROUP BY " + key + " ORDER BY group_key";
        try (Connection connection = database.getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            select.setTimestamp(1, Timestamp.from(query.from()));
            select.setTimestamp(2, Timestamp.from(query.to()));
            if (query.caller().isPresent()) {
                select.setString(3, query.caller().get());
            }
            List<UsageGroup> groups = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    BigDecimal cost = rows.getBigDecimal(8);
                    groups.add(new UsageGroup(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                            rows.getLong(5), rows.getLong(6), rows.getLong(7),
                            cost == null ? BigDecimal.ZERO : cost.stripTrailingZeros(), rows.getLong(9)));
                }
            }
            return groups;
        }
    }

    /**
     * Whether the ledger's database answers a validation query within about {@code timeout} (whole seconds, at least
     * one: JDBC's unit), for the readiness check. Blocking JDBC: call it off the event loop, and bound the wait there
     * too, as opening a connection to an unreachable server is not covered by the query timeout.
     */
    public boolean databaseAnswers(Duration timeout) {
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement()) {
            statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            statement.execute("SELECT 1");
            return true;
        } catch (SQLException | RuntimeException | AssertionError e) {
            // AssertionError too: with assertions on, the PostgreSQL driver asserts on a connection cut under it.
            Log.debugf("usage ledger database does not answer: %s", e.getMessage());
            return false;
        }
    }

    /** Rows not yet in the database: in memory, being written, or in the journal. */
    public long pending() {
        return queue.size() + inFlight + journal.size();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (writer == null) {
            return;
        }
        writer.interrupt();
        try {
            if (!writer.join(config.shutdownTimeout())) {
                Log.warn("the usage ledger did not flush in time; what is left goes to the journal");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<LedgerRow> left = new ArrayList<>();
        queue.drainTo(left);
        journal.append(left);
    }

    private void run() {
        boolean databaseUp = replayJournal();
        List<LedgerRow> batch = new ArrayList<>();
        while (true) {
            batch.clear();
            boolean interrupted = false;
            try {
                LedgerRow first = queue.poll(databaseUp
                        ? config.flushInterval().toMillis()
                        : config.retryInterval().toMillis(), TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            queue.drainTo(batch, config.batchSize() - batch.size());
            inFlight = batch.size();
            if (stopping || interrupted) {
                // Shutdown: one last attempt at everything queued, then the journal keeps the rest.
                queue.drainTo(batch);
                inFlight = batch.size();
                storeOrJournal(batch, databaseUp);
                inFlight = 0;
                return;
            }
            if (!databaseUp || journal.size() > 0) {
                databaseUp = replayJournal();
            }
            databaseUp = storeOrJournal(batch, databaseUp);
            inFlight = 0;
        }
    }

    /** Inserts the batch; if the database is down or fails, the batch goes to the journal. */
    private boolean storeOrJournal(List<LedgerRow> batch, boolean databaseUp) {
        if (batch.isEmpty()) {
            return databaseUp;
        }
        if (databaseUp) {
            try {
                insert(batch);
                return true;
            } catch (Exception | AssertionError e) {
                // AssertionError too: with assertions on, the PostgreSQL driver asserts on a connection cut under it.
                Log.warnf("usage ledger database unavailable (%s); %d row(s) go to the journal %s", e.getMessage(),
                        batch.size(), config.journalFile());
            }
        }
        journal.append(batch);
        return false;
    }

    /** Moves the journal into the database; true if it is empty afterwards (the database took every row). */
    private boolean replayJournal() {
        try {
            List<LedgerRow> rows = journal.read();
            if (rows.isEmpty()) {
                return true;
            }
            for (int from = 0; from < rows.size(); from += config.batchSize()) {
                insert(rows.subList(from, Math.min(rows.size(), from + config.batchSize())));
            }
            journal.dropFirst(rows.size());
            Log.infof("usage ledger: replayed %d journalled row(s)", rows.size());
            return true;
        } catch (Exception | AssertionError e) {
            Log.debugf("usage ledger journal not replayed yet: %s", e.getMessage());
            return false;
        }
    }

    private void insert(List<LedgerRow> rows) throws SQLException {
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT);
                    PreparedStatement settle = connection.prepareStatement(SETTLE)) {
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
                    insert.addBatch();
                    settle.setString(1, row.turnId());
                    settle.addBatch();
                }
                insert.executeBatch();
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
