package dev.parley.usage.budget;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

import dev.parley.usage.ledger.LedgerDatabase;

/**
 * Budget reservations in the ledger database. A reservation locks its caller's {@code budget_caller} row, so
 * reservations of one caller are decided one after the other, across every replica sharing the database; it then
 * sums, in one statement (one snapshot), the caller's stored spend per window and the other reservations. The ledger
 * deletes a turn's reservation in the transaction that stores its row, so nothing is counted twice or missed. Blocking
 * JDBC: call it off the event loop.
 */
@ApplicationScoped
class BudgetStore {

    private static final String LOCK_CALLER = "SELECT caller FROM budget_caller WHERE caller = ? FOR UPDATE";
    private static final String ADD_CALLER = "INSERT INTO budget_caller (caller) VALUES (?) ON CONFLICT DO NOTHING";
    private static final String DROP_LAPSED = "DELETE FROM budget_reservation WHERE caller = ? AND expires_at < ?";
    private static final String UPDATE = "UPDATE budget_reservation SET amount_usd = ?, expires_at = ? WHERE turn_id = ?";
    private static final String INSERT = "INSERT INTO budget_reservation (turn_id, caller, amount_usd, expires_at) "
            + "VALUES (?, ?, ?, ?)";
    private static final String RELEASE = "DELETE FROM budget_reservation WHERE turn_id = ?";
    /** Deadlocks with the ledger writer and serialization failures are worth another try. */
    private static final int ATTEMPTS = 3;

    private final AgroalDataSource database;

    BudgetStore(LedgerDatabase database) {
        this.database = database.dataSource();
    }

    /**
     * Makes the turn hold {@code totalUsd} (a new reservation, or a larger one for a later round), if that fits in
     * every window beside the caller's stored spend and other reservations.
     */
    Reservation reserve(String turnId, String caller, BigDecimal totalUsd, Instant expiresAt, List<WindowLimit> limits,
            Instant now) throws SQLException {
        for (int attempt = 1;; attempt++) {
            try (Connection connection = database.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    Reservation answer = reserveIn(connection, turnId, caller, totalUsd, expiresAt, limits, now);
                    if (answer instanceof Reservation.Granted) {
                        connection.commit();
                    } else {
                        connection.rollback();
                    }
                    return answer;
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                if (attempt == ATTEMPTS || e.getSQLState() == null || !e.getSQLState().startsWith("40")) {
                    throw e;
                }
            }
        }
    }

    private Reservation reserveIn(Connection connection, String turnId, String caller, BigDecimal totalUsd,
            Instant expiresAt, List<WindowLimit> limits, Instant now) throws SQLException {
        lock(connection, caller);
        try (PreparedStatement drop = connection.prepareStatement(DROP_LAPSED)) {
            drop.setString(1, caller);
            drop.setTimestamp(2, Timestamp.from(now));
            drop.executeUpdate();
        }
        Totals totals = totals(connection, turnId, caller, limits);
        BigDecimal ceiling = null;
        for (int i = 0; i < limits.size(); i++) {
            WindowLimit limit = limits.get(i);
            BigDecimal free = limit.limitUsd().subtract(totals.spent().get(i)).subtract(totals.reservedByOthers());
            if (totalUsd.compareTo(free) > 0) {
                return new Reservation.Refused(limit.window(), limit.resetsAt());
            }
            ceiling = ceiling == null ? free : ceiling.min(free);
        }
        try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
            update.setBigDecimal(1, totalUsd);
            update.setTimestamp(2, Timestamp.from(expiresAt));
            update.setString(3, turnId);
            if (update.executeUpdate() == 0) {
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    insert.setString(1, turnId);
                    insert.setString(2, caller);
                    insert.setBigDecimal(3, totalUsd);
                    insert.setTimestamp(4, Timestamp.from(expiresAt));
                    insert.executeUpdate();
                }
            }
        }
        return new Reservation.Granted(totalUsd, ceiling);
    }

    /** Ends a reservation whose turn will have no ledger row (it never reached the upstream). */
    void release(String turnId) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement release = connection.prepareStatement(RELEASE)) {
            release.setString(1, turnId);
            release.executeUpdate();
        }
    }

    /** The caller's stored spend and reservations per window, read together. */
    List<BudgetStatus> status(String caller, List<WindowLimit> limits) throws SQLException {
        try (Connection connection = database.getConnection()) {
            Totals totals = totals(connection, "", caller, limits);
            List<BudgetStatus> status = new ArrayList<>();
            for (int i = 0; i < limits.size(); i++) {
                WindowLimit limit = limits.get(i);
                BigDecimal spent = totals.spent().get(i);
                BigDecimal remaining = limit.limitUsd().subtract(spent).subtract(totals.reservedByOthers())
                        .max(BigDecimal.ZERO);
                status.add(new BudgetStatus(limit.window().tag(), limit.limitUsd(), plain(spent),
                        plain(totals.reservedByOthers()), plain(remaining), limit.resetsAt()));
            }
            return status;
        }
    }

    private static void lock(Connection connection, String caller) throws SQLException {
        try (PreparedStatement add = connection.prepareStatement(ADD_CALLER)) {
            add.setString(1, caller);
            add.executeUpdate();
        }
        try (PreparedStatement lock = connection.prepareStatement(LOCK_CALLER)) {
            lock.setString(1, caller);
            lock.executeQuery().close();
        }
    }

    /** Spend per window and the reservations of every other turn, from one statement, so from one snapshot. */
    private record Totals(List<BigDecimal> spent, BigDecimal reservedByOthers) {
    }

    private static Totals totals(Connection connection, String turnId, String caller, List<WindowLimit> limits)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT (SELECT COALESCE(SUM(amount_usd), 0) FROM budget_reservation "
                + "WHERE caller = ? AND turn_id <> ?)");
        for (int i = 0; i < limits.size(); i++) {
            sql.append(", (SELECT COALESCE(SUM(cost_usd), 0) FROM usage_ledger WHERE caller = ? AND occurred_at >= ?)");
        }
        try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            select.setString(1, caller);
            select.setString(2, turnId);
            for (int i = 0; i < limits.size(); i++) {
                select.setString(3 + 2 * i, caller);
                select.setTimestamp(4 + 2 * i, Timestamp.from(limits.get(i).start()));
            }
            try (ResultSet row = select.executeQuery()) {
                row.next();
                List<BigDecimal> spent = new ArrayList<>();
                for (int i = 0; i < limits.size(); i++) {
                    spent.add(row.getBigDecimal(2 + i));
                }
                return new Totals(spent, row.getBigDecimal(1));
            }
        }
    }

    private static BigDecimal plain(BigDecimal usd) {
        return usd.signum() == 0 ? BigDecimal.ZERO : usd.stripTrailingZeros();
    }
}
