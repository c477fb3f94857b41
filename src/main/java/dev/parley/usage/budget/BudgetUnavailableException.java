package dev.parley.usage.budget;

/** The budget database did not answer: a budgeted caller's turn cannot be checked, so it is not started. */
public final class BudgetUnavailableException extends RuntimeException {

    BudgetUnavailableException(Throwable cause) {
        super("the budget database is unavailable: " + cause.getMessage(), cause);
    }
}
