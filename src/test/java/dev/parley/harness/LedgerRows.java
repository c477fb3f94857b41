package dev.parley.harness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

/** Reads usage ledger rows the way a test asserts on them: one row as a map of lower-case column names. */
public final class LedgerRows {

    private LedgerRows() {
    }

    /** The ledger row of the request with this {@code X-Request-Id}, if it is stored yet. */
    public static Optional<Map<String, Object>> byRequestId(DataSource ledger, String requestId) throws SQLException {
        return select(ledger, "SELECT * FROM usage_ledger WHERE request_id = ?", requestId).stream().findFirst();
    }

    /** The row of the turn one of whose rounds the upstream knows as {@code upstreamRequestId} ({@code req_…}). */
    public static Optional<Map<String, Object>> byUpstreamRequestId(DataSource ledger, String upstreamRequestId)
            throws SQLException {
        return select(ledger, "SELECT l.* FROM usage_ledger l JOIN usage_ledger_round r ON r.turn_id = l.turn_id "
                + "WHERE r.upstream_request_id = ?", upstreamRequestId).stream().findFirst();
    }

    /** The {@code usage_ledger_round} rows of a turn, in round order. */
    public static List<Map<String, Object>> rounds(DataSource ledger, String turnId) throws SQLException {
        return select(ledger, "SELECT * FROM usage_ledger_round WHERE turn_id = ? ORDER BY round", turnId);
    }

    /** The rows of a query with one string parameter. */
    public static List<Map<String, Object>> select(DataSource ledger, String sql, String parameter)
            throws SQLException {
        try (Connection connection = ledger.getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet result = select.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (result.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                        row.put(result.getMetaData().getColumnLabel(i).toLowerCase(Locale.ROOT),
                                result.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }
}
