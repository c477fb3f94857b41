package dev.parley.usage.ledger;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.annotation.PreDestroy;
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
 * The durable usage ledger: one row per turn that reached the upstream. {@link #append} writes the row to the local
 * journal first, synced and group-committed with the rows of other turns ending at the same moment, and its stage
 * completes once the row is on disk: a turn sends its last event only then. A {@link LedgerWriter} then moves rows
 * from the journal into the database, so the database is never on a turn's path; at start-up it replays whatever an
 * earlier process left in the journal, and inserts ignore a turn already stored, so a replay never duplicates.
 * {@code parley.ledger.pending} counts rows not yet in the database.
 */
@ApplicationScoped
public class UsageLedger {

    private final JournalLock lock;
    private final AgroalDataSource database;
    private final LedgerJournal journal;
    private final LedgerWriter writer;
    private final JournalCommitter committer;

    UsageLedger(LedgerConfig config, ObjectMapper json, MeterRegistry registry, LedgerDatabase database) {
        // Before the journal and the embedded database are opened: a second process on them stops here, in one line.
        this.lock = JournalLock.acquire(config.journal());
        database.migrateEmbedded();
        this.database = database.dataSource();
        this.journal = new LedgerJournal(config.journal(), json, config.journalSegmentSize().asLongValue(),
                config.journalSync());
        this.writer = new LedgerWriter(config, this.database, journal, registry);
        // The writer is told of each group once it is synced: it then reads the rows back from the journal.
        this.committer = new JournalCommitter(journal, writer::keepInMemory, writer::synced, registry);
        Gauge.builder("parley.ledger.pending", this, UsageLedger::pending)
                .description("Usage ledger rows not yet in the database (journal and memory)")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        committer.start();
        writer.start();
    }

    /**
     * Writes the row of an ended turn to the journal. The stage completes, on the journal's thread, once the row is
     * synced to disk (or, should the journal fail, once it is held in memory for the database); it never fails.
     * Never blocks the caller.
     */
    public CompletionStage<Void> append(UsageRecord record) {
        return committer.submit(LedgerRow.of(record));
    }

    /**
     * Sums the stored turns of a query, grouped. Blocking JDBC: call it off the event loop. Rows still in the buffer
     * or the journal are not counted yet.
     */
    public List<UsageGroup> summarize(UsageQuery query) throws SQLException {
        String key = query.groupBy().column();
        String sql = "SELECT " + key + " AS group_key, COUNT(*), SUM(input_tokens), SUM(output_tokens), "
                + "SUM(cache_read_input_tokens), SUM(cache_write_5m_input_tokens), SUM(cache_write_1h_input_tokens), "
                + "SUM(thinking_tokens), SUM(cost_usd), SUM(saved_usd), "
                + "SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) FROM usage_ledger "
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
                    groups.add(new UsageGroup(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                            rows.getLong(5), rows.getLong(6), rows.getLong(7), rows.getLong(8),
                            usd(rows.getBigDecimal(9)), usd(rows.getBigDecimal(10)), rows.getLong(11)));
                }
            }
            return groups;
        }
    }

    /** A sum of amounts: zero when every turn of the group was unpriced (SQL's SUM of nulls is null). */
    private static BigDecimal usd(BigDecimal sum) {
        return sum == null ? BigDecimal.ZERO : sum.stripTrailingZeros();
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

    /** Rows not yet in the database: in the journal or in memory. */
    public long pending() {
        return writer.pending();
    }

    /**
     * At shutdown, after the HTTP drain: what was submitted is synced, then the writer may store for
     * {@code parley.ledger.shutdown-timeout}; the rest waits in the journal for the next start.
     */
    void stop(@Observes ShutdownEvent event) {
        committer.stop();
        writer.stop();
        lock.close();
    }

    /** Also when the application stops without a shutdown event (a failed start in dev mode, before a reload). */
    @PreDestroy
    void releaseLock() {
        lock.close();
    }
}
