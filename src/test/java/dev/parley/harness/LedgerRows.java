package dev.parley.harness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
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
        try (Connection connection = ledger.getConnection();
                PreparedStatement select = connection
                        .prepareStatement("SELECT * FROM usage_ledger WHERE request_id = ?")) {
            select.setString(1, requestId);
            try (ResultSet result = select.executeQuery()) {
                if (!result.next()) {
                    return Optional.empty();
                }
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                    row.put(result.getMetaData().getColumnLabel(i).toLowerCase(Locale.ROOT), result.getObject(i));
                }
                return Optional.of(row);
            }
        }
    }
}
