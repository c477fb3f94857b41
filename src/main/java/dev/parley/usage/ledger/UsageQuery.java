package dev.parley.usage.ledger;

import java.time.Instant;
import java.util.Optional;

/** A question to the ledger: turns in {@code [from, to)}, grouped, of one caller or (for admins) of all. */
public record UsageQuery(Instant from, Instant to, GroupBy groupBy, Optional<String> caller) {

    /** How rows are grouped; the SQL expressions are fixed here, never taken from a request. */
    public enum GroupBy {
        MODEL("model"),
        CALLER("caller"),
        ASSISTANT("assistant"),
        DAY("CAST(occurred_at AS DATE)");

        private final String column;

        GroupBy(String column) {
            this.column = column;
        }

        String column() {
            return column;
        }
    }
}
