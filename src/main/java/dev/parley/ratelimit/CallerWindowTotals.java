package dev.parley.ratelimit;

import java.util.List;

/**
 * A store's answer to a list of changes, applied all or none.
 *
 * @param refusedAt the index of the first change that did not fit (then none was applied), or -1 when all were
 * @param totals each window's count after the changes (before them, when refused), in the order of the changes
 */
record CallerWindowTotals(int refusedAt, List<Long> totals) {

    boolean applied() {
        return refusedAt < 0;
    }
}
