package dev.parley.chat;

import java.math.BigDecimal;

/**
 * What a budgeted turn holds of its caller's budget.
 *
 * @param reservedUsd the worst case of the turn so far, reserved
 * @param ceilingUsd the most the turn may cost before it is stopped with {@code budget_exhausted}
 */
record BudgetHold(BigDecimal reservedUsd, BigDecimal ceilingUsd) {
}
