package dev.parley.usage.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** The periods a budget covers, in UTC. */
public enum BudgetWindow {
    DAY("day"),
    MONTH("month");

    private final String tag;

    BudgetWindow(String tag) {
        this.tag = tag;
    }

    /** The name in the API and in metric tags. */
    public String tag() {
        return tag;
    }

    /** When the window holding {@code now} began. */
    Instant start(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate first = this == DAY ? day : day.withDayOfMonth(1);
        return first.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** When the window holding {@code now} ends, and spending starts from zero again. */
    Instant resetsAt(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate next = this == DAY ? day.plusDays(1) : day.withDayOfMonth(1).plusMonths(1);
        return next.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
